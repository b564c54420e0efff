package io.hupwatch.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test started (hupwatch, load generators, supervisors), closed after each test, last first,
 * also when the test failed; a failing close does not keep the others from being closed.
 * Use as {@code @RegisterExtension final Cleanup cleanup = new Cleanup();}.
 */
final class Cleanup implements AfterEachCallback {
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Registers {@code resource} and returns it. */
    <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        resources.clear();
        if (first != null) {
            throw first;
        }
    }
}
