package io.hupwatch.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of README.md, CONTRIBUTING.md and docs/*.md names a file that exists and, with
 * {@code #anchor}, a heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces
 * as hyphens, a repeated heading numbered). Links inside code are not links.
 */
class DocLinksTest {
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.*)$");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

    /** The documents checked: the README, CONTRIBUTING.md and every markdown file in docs/. */
    static List<Path> documents(Path repo) throws IOException {
        List<Path> docs = new ArrayList<>(List.of(repo.resolve("README.md"), repo.resolve("CONTRIBUTING.md")));
        try (Stream<Path> s = Files.list(repo.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The lines of {@code doc} outside fenced code blocks, with inline code spans blanked. */
    static List<String> prose(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                out.add(line);
            }
        }
        return out;
    }

    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    static Set<String> anchors(Path doc) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        Set<String> anchors = new HashSet<>();
        for (String line : prose(doc)) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String a = anchor(h.group(1));
                Integer n = seen.merge(a, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? a : a + "-" + n);
            }
        }
        return anchors;
    }

    /** Each broken relative link of {@code docs}, as "file: target (why)". */
    static List<String> brokenLinks(List<Path> docs) throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : docs) {
            for (String line : prose(doc)) {
                Matcher link = LINK.matcher(CODE_SPAN.matcher(line).replaceAll("``"));
                while (link.find()) {
                    String target = link.group(1);
                    if (target.matches("[a-z]+:.*")) {
                        continue; // https:, mailto:: not this test's business
                    }
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    Path to = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                    if (!Files.exists(to)) {
                        broken.add(doc.getFileName() + ": " + target + " (no file " + to + ")");
                    } else if (hash >= 0 && !anchors(to).contains(target.substring(hash + 1))) {
                        broken.add(doc.getFileName() + ": " + target + " (no such heading in " + to.getFileName() + ")");
                    }
                }
            }
        }
        return broken;
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws Exception {
        List<Path> docs = documents(CliReferenceTest.REPO);
        for (Path doc : docs) {
            assertTrue(Files.isRegularFile(doc), doc + " exists");
        }
        assertEquals(List.of(), brokenLinks(docs));
    }

    @Test
    void aBrokenLinkOrAnchorIsFound(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.md"), "# Title: the `--bind` option\n\n## Title: the `--bind` option\n\n"
                + "[ok](#title-the---bind-option) [ok](#title-the---bind-option-1) [ok](b.md) "
                + "[bad](#title) [bad](c.md) [bad](b.md#nowhere) `[code](nowhere.md)`\n\n```\n[fenced](nowhere.md)\n```\n");
        Files.writeString(dir.resolve("b.md"), "# B\n");
        assertEquals(List.of("a.md: #title (no such heading in a.md)", "a.md: c.md (no file " + dir.resolve("c.md") + ")",
                "a.md: b.md#nowhere (no such heading in b.md)"), brokenLinks(List.of(dir.resolve("a.md"))));
    }
}
