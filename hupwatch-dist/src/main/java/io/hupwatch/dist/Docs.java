package io.hupwatch.dist;

import io.hupwatch.cli.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Run at build time (exec-maven-plugin): writes the man page and the bash completion of
 * {@code hupwatch} from the picocli model that {@code hupwatch --help} prints, so the two never drift.
 *
 * <p>picocli's own generators: {@link AutoComplete} for the completion. picocli-codegen's man page
 * generator writes AsciiDoc, which needs Asciidoctor (a Ruby tool) to become a man page; the man page
 * is therefore written in troff here, from the same model, section by section as {@code --help}.
 *
 * <pre>Docs OUTPUT_DIR VERSION</pre> writes {@code hupwatch.1}, {@code hupwatch.1.gz},
 * {@code hupwatch.bash} (completion) and {@code version}.
 */
public final class Docs {
    static final Pattern FOOTER_SECTION = Pattern.compile("([A-Z][a-z]+(?: [a-z]+)?): (.*)");

    private Docs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: Docs OUTPUT_DIR VERSION");
        }
        Path out = Path.of(args[0]);
        String version = args[1];
        Files.createDirectories(out);
        String man = manPage(Main.commandLine(), version);
        Files.writeString(out.resolve("hupwatch.1"), man, StandardCharsets.UTF_8);
        // gzip with no name and mtime 0 in its header: the same bytes at every build.
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(out.resolve("hupwatch.1.gz")))) {
            gz.write(man.getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(out.resolve("hupwatch.bash"), AutoComplete.bash("hupwatch", Main.commandLine()),
                StandardCharsets.UTF_8);
        Files.writeString(out.resolve("version"), version + "\n", StandardCharsets.UTF_8);
    }

    /** The man page (troff, man macros) of {@code cl} and its subcommands. */
    static String manPage(CommandLine cl, String version) {
        CommandSpec spec = cl.getCommandSpec();
        StringBuilder m = new StringBuilder();
        String name = spec.name();
        m.append(".\\\" Generated from the picocli model of ").append(name).append(" (hupwatch-dist Docs); do not edit.\n");
        m.append(".TH ").append(name.toUpperCase()).append(" 1 \"\" \"").append(name).append(' ').append(version)
                .append("\" \"User Commands\"\n");
        m.append(".nh\n.ad l\n");

        List<String> description = lines(spec.usageMessage().description());
        m.append(".SH NAME\n").append(name).append(" \\- ").append(escape(firstSentence(description))).append('\n');

        m.append(".SH SYNOPSIS\n.nf\n");
        for (String line : lines(spec.usageMessage().customSynopsis())) {
            m.append(escape(line.strip())).append('\n');
        }
        m.append(".fi\n");

        m.append(".SH DESCRIPTION\n");
        paragraphs(m, description);

        m.append(".SH OPTIONS\n");
        options(m, spec);

        if (!spec.subcommands().isEmpty()) {
            m.append(".SH COMMANDS\n");
            Set<String> topOptions = optionNames(spec);
            for (Map.Entry<String, CommandLine> e : spec.subcommands().entrySet()) {
                CommandLine sub = e.getValue();
                CommandSpec s = sub.getCommandSpec();
                m.append(".SS ").append(escape(s.qualifiedName())).append('\n');
                m.append(".nf\n").append(escape(new CommandLine.Help(s, CommandLine.Help.defaultColorScheme(
                        CommandLine.Help.Ansi.OFF)).synopsis(0).strip())).append("\n.fi\n");
                paragraphs(m, lines(s.usageMessage().description()));
                if (optionNames(s).equals(topOptions)) {
                    m.append(".PP\nIts options are those of ").append(name).append(" above.\n");
                } else {
                    options(m, s);
                }
            }
        }

        // The footer's "Heading: text" lines become sections (SIGNALS, EXIT STATUS, ...).
        List<String> loose = new ArrayList<>();
        for (String line : lines(spec.usageMessage().footer())) {
            Matcher section = FOOTER_SECTION.matcher(line);
            if (section.matches()) {
                m.append(".SH ").append(section.group(1).toUpperCase()).append('\n');
                m.append(".PP\n").append(escape(section.group(2))).append('\n');
            } else if (!line.isBlank()) {
                loose.add(line);
            }
        }
        if (!loose.isEmpty()) {
            m.append(".SH NOTES\n");
            paragraphs(m, loose);
        }
        m.append(".SH SEE ALSO\n/usr/share/doc/hupwatch/README.md, the project's README, and /usr/share/doc/hupwatch/docs/, for recipes and the pass modes.\n");
        return m.toString();
    }

    private static void options(StringBuilder m, CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            m.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR");
            if (p.arity().max > 1) {
                m.append(" ...");
            }
            m.append('\n').append(escape(description(p.description(), p.defaultValueString()))).append('\n');
        }
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            m.append(".TP\n");
            String[] names = o.names();
            for (int i = 0; i < names.length; i++) {
                m.append(i == 0 ? "" : ", ").append("\\fB").append(escape(names[i])).append("\\fR");
            }
            if (o.arity().max > 0) {
                m.append("=\\fI").append(escape(o.paramLabel())).append("\\fR");
            }
            m.append('\n').append(escape(description(o.description(), o.defaultValueString()))).append('\n');
        }
    }

    static Set<String> optionNames(CommandSpec spec) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            names.addAll(List.of(o.names()));
        }
        return names;
    }

    /** The description as --help prints it: its lines joined, ${DEFAULT-VALUE} replaced. */
    static String description(String[] lines, String defaultValue) {
        return String.join(" ", lines(lines)).replace("${DEFAULT-VALUE}", String.valueOf(defaultValue)).strip();
    }

    /** Text lines with picocli's format specifiers applied (%n splits a line, %% is a percent sign). */
    static List<String> lines(String[] text) {
        List<String> out = new ArrayList<>();
        for (String t : text) {
            for (String line : t.split("%n", -1)) {
                out.add(line.replace("%%", "%"));
            }
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
            out.remove(out.size() - 1);
        }
        while (!out.isEmpty() && out.get(0).isBlank()) {
            out.remove(0);
        }
        return out;
    }

    private static void paragraphs(StringBuilder m, List<String> lines) {
        boolean open = false;
        for (String line : lines) {
            if (line.isBlank()) {
                open = false;
                continue;
            }
            if (!open) {
                m.append(".PP\n");
                open = true;
            }
            m.append(escape(line.strip())).append('\n');
        }
    }

    private static String firstSentence(List<String> description) {
        String text = description.isEmpty() ? "" : description.get(0).strip();
        int end = text.indexOf(". ");
        text = end < 0 ? text : text.substring(0, end);
        text = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    /** Text as troff prints it literally: backslashes, hyphens (as minus signs), leading dots and quotes. */
    static String escape(String text) {
        String s = text.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder out = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                out.append("\\&");
            }
            out.append(line);
        }
        return out.toString();
    }
}
