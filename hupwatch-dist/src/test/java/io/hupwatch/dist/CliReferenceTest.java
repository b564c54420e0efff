package io.hupwatch.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/cli.md is what the picocli model renders now: it cannot drift from {@code hupwatch --help}. */
class CliReferenceTest {
    static final Path REPO = Path.of(System.getProperty("hupwatch.repo", ".."));
    private static final Path CLI_MD = REPO.resolve("docs/cli.md");

    @Test
    void theCommittedReferenceIsTheModelsRendering() throws Exception {
        String rendered = CliMarkdown.render(Main.commandLine());
        if (Boolean.getBoolean("hupwatch.regenerate")) {
            Files.writeString(CLI_MD, rendered, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(CLI_MD) ? Files.readString(CLI_MD, StandardCharsets.UTF_8) : "";
        assertEquals(rendered, committed, CLI_MD.normalize() + " differs from the picocli model (hupwatch --help);"
                + " regenerate it with: " + CliMarkdown.REGENERATE);
    }

    @Test
    void everyOptionOfEveryCommandIsInTheReferenceWithItsDescription() {
        String md = CliMarkdown.render(Main.commandLine()).replace("\\", "").replaceAll("\\s+", " ");
        CommandLine top = Main.commandLine();
        for (CommandLine cl : top.getSubcommands().values()) {
            assertTrue(md.contains("### " + cl.getCommandSpec().qualifiedName()), cl.getCommandSpec().qualifiedName());
        }
        for (CommandLine cl : java.util.stream.Stream.concat(java.util.stream.Stream.of(top),
                top.getSubcommands().values().stream()).toList()) {
            for (OptionSpec o : cl.getCommandSpec().options()) {
                for (String name : o.names()) {
                    assertTrue(md.contains("`" + name), name + " is not in docs/cli.md");
                }
                String description = Docs.description(o.description(), o.defaultValueString()).replaceAll("\\s+", " ");
                assertTrue(md.contains(description), cl.getCommandSpec().qualifiedName() + " " + o.longestName()
                        + ": '" + description + "' is not in docs/cli.md");
            }
        }
    }
}
