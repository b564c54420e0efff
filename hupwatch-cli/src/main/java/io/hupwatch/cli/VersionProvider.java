package io.hupwatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/hupwatch-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[] {"hupwatch " + p.getProperty("version", "unknown")};
    }
}
