package io.hupwatch.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The man page and the completion the build made (target/docs) say what {@code --help} says. */
class DocsTest {
    private static final Path DOCS = Path.of(System.getProperty("hupwatch.docs", "target/docs"));

    /** The man page as man prints it (plain text, wide, no hyphenation), without whitespace. */
    private static String renderedManPage() throws Exception {
        boolean haveMan = Files.isExecutable(Path.of("/usr/bin/man"));
        if (!haveMan && System.getenv("CI") != null) {
            throw new IllegalStateException("man (man-db) is missing; scripts/test installs it");
        }
        Assumptions.assumeTrue(haveMan, "man (man-db) is not installed: man page rendering not checked");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "man -l \"$1\" | col -b", "sh",
                DOCS.resolve("hupwatch.1").toString());
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("MANWIDTH", "1000");
        pb.environment().remove("MANPAGER");
        pb.environment().remove("PAGER");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return squeeze(out);
    }

    private static String squeeze(String s) {
        return s.replaceAll("\\s+", "");
    }

    private static List<CommandLine> commands() {
        CommandLine top = Main.commandLine();
        List<CommandLine> all = new ArrayList<>(List.of(top));
        all.addAll(top.getSubcommands().values());
        return all;
    }

    @Test
    void everyWordOfEveryHelpIsInTheManPage() throws Exception {
        String man = renderedManPage();
        for (CommandLine cl : commands()) {
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (String word : help.split("\\s+")) {
                // "Usage:" and "Commands:" are --help's own headings; the man page has sections instead.
                if (word.isEmpty() || word.equals("Usage:") || word.equals("Commands:")) {
                    continue;
                }
                // The footer's "Heading:" lines are man sections (SIGNALS, EXIT STATUS): compared without case and colon.
                String bare = word.endsWith(":") ? word.substring(0, word.length() - 1) : word;
                assertTrue(man.contains(word) || man.toLowerCase().contains(bare.toLowerCase()), "'" + word + "' of '" + cl.getCommandSpec().qualifiedName()
                        + " --help' is not in the man page");
            }
        }
    }

    @Test
    void everyOptionIsInTheManPageWithItsWholeDescription() throws Exception {
        String man = renderedManPage();
        for (CommandLine cl : commands()) {
            for (OptionSpec o : cl.getCommandSpec().options()) {
                for (String name : o.names()) {
                    assertTrue(man.contains(name), name + " is not in the man page");
                }
                String description = Docs.description(o.description(), o.defaultValueString());
                assertTrue(man.contains(squeeze(description)),
                        cl.getCommandSpec().qualifiedName() + " " + o.longestName() + ": '" + description
                                + "' is not in the man page");
            }
        }
    }

    @Test
    void theManPageIsTheGeneratorsOutputAndGzipped() throws Exception {
        String man = Files.readString(DOCS.resolve("hupwatch.1"));
        assertTrue(man.startsWith(".\\\" Generated from the picocli model"), man);
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(DOCS.resolve("hupwatch.1.gz")))) {
            assertEquals(man, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void bashCompletionOffersTheOptionsAndSubcommands() throws Exception {
        Path completion = DOCS.resolve("hupwatch.bash");
        Map<String, String> cases = Map.of(
                "hupwatch --rea", "--ready --ready-timeout",
                "hupwatch rel", "reload",
                "hupwatch status --j", "--json");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String script = ". \"$1\"; COMP_WORDS=(" + c.getKey() + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));"
                    + " COMP_LINE=\"" + c.getKey() + "\"; COMP_POINT=${#COMP_LINE}; _complete_hupwatch;"
                    + " echo \"${COMPREPLY[*]}\"";
            Process p = new ProcessBuilder("bash", "-c", script, "bash", completion.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor(), out);
            assertEquals(c.getValue(), out.replaceAll("\\s+", " "), "completing '" + c.getKey() + "'");
        }
    }
}
