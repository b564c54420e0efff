package io.hupwatch.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code docs/cli.md}, the command-line reference, written from the picocli model that {@code hupwatch
 * --help} prints, section by section as the man page ({@link Docs#manPage}); {@code CliReferenceTest}
 * fails when the committed file differs, and says how to regenerate it.
 */
final class CliMarkdown {
    static final String REGENERATE = "mvn -B -ntp test -pl hupwatch-dist -am -Dtest=CliReferenceTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dhupwatch.regenerate=true";

    private CliMarkdown() {
    }

    /** The reference of {@code cl} and its subcommands, in GitHub markdown. */
    static String render(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        String name = spec.name();
        StringBuilder m = new StringBuilder();
        m.append("<!-- Generated from the picocli model of ").append(name)
                .append(" (hupwatch-dist CliMarkdown); do not edit. Regenerate with:\n     ")
                .append(REGENERATE).append(" -->\n");
        m.append("# ").append(name).append(" command-line reference\n\n");
        m.append("What `").append(name).append(" --help` says, generated from the same model as the help and the man page.")
                .append(" More on each option: [usage.md](usage.md#options).\n\n");

        m.append("## Synopsis\n\n```\n");
        for (String line : Docs.lines(spec.usageMessage().customSynopsis())) {
            m.append(line.strip()).append('\n');
        }
        m.append("```\n\n## Description\n\n");
        paragraphs(m, Docs.lines(spec.usageMessage().description()));

        m.append("## Options\n\n");
        options(m, spec);

        if (!spec.subcommands().isEmpty()) {
            m.append("## Commands\n\n");
            for (Map.Entry<String, CommandLine> e : spec.subcommands().entrySet()) {
                CommandSpec s = e.getValue().getCommandSpec();
                m.append("### ").append(s.qualifiedName()).append("\n\n```\n")
                        .append(new CommandLine.Help(s, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                                .synopsis(0).strip())
                        .append("\n```\n\n");
                paragraphs(m, Docs.lines(s.usageMessage().description()));
                if (Docs.optionNames(s).equals(Docs.optionNames(spec))) {
                    m.append("Its options are those of ").append(name).append(" above.\n\n");
                } else {
                    options(m, s);
                }
            }
        }

        // The footer's "Heading: text" lines become sections (Signals, Exit status, ...), as in the man page.
        List<String> loose = new ArrayList<>();
        for (String line : Docs.lines(spec.usageMessage().footer())) {
            Matcher section = Docs.FOOTER_SECTION.matcher(line);
            if (section.matches()) {
                m.append("## ").append(section.group(1)).append("\n\n").append(escape(section.group(2))).append("\n\n");
            } else if (!line.isBlank()) {
                loose.add(line);
            }
        }
        if (!loose.isEmpty()) {
            m.append("## Notes\n\n");
            paragraphs(m, loose);
        }
        return m.toString().stripTrailing() + "\n";
    }

    private static void options(StringBuilder m, CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                m.append("- `").append(p.paramLabel()).append(p.arity().max > 1 ? " ..." : "").append("`: ")
                        .append(escape(Docs.description(p.description(), p.defaultValueString()))).append('\n');
            }
        }
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            m.append("- ");
            String[] names = o.names();
            for (int i = 0; i < names.length; i++) {
                m.append(i == 0 ? "" : ", ").append('`').append(names[i])
                        .append(o.arity().max > 0 && i == names.length - 1 ? "=" + o.paramLabel() : "").append('`');
            }
            m.append(": ").append(escape(Docs.description(o.description(), o.defaultValueString()))).append('\n');
        }
        m.append('\n');
    }

    private static void paragraphs(StringBuilder m, List<String> lines) {
        boolean open = false;
        for (String line : lines) {
            if (line.isBlank()) {
                if (open) {
                    m.append('\n');
                }
                open = false;
                continue;
            }
            m.append(escape(line.strip())).append('\n');
            open = true;
        }
        if (open) {
            m.append('\n');
        }
    }

    /** Text as markdown prints it literally: its markup characters backslash-escaped. */
    static String escape(String text) {
        return text.replaceAll("([\\\\`*_<>\\[\\]|#])", "\\\\$1");
    }
}
