package io.hupwatch.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The WSGI test app (src/test/resources/apps/app.py: each response names its generation), copied where gunicorn can load it. */
final class GunicornApp {
    private GunicornApp() {
    }

    /** Copies the app into {@code parent}/app and returns that directory, for {@code gunicorn --chdir DIR app:app}. */
    static Path copyInto(Path parent) throws IOException {
        Path app = Files.createDirectories(parent.resolve("app"));
        try (InputStream in = GunicornApp.class.getResourceAsStream("/apps/app.py")) {
            Files.copy(in, app.resolve("app.py"));
        }
        return app;
    }
}
