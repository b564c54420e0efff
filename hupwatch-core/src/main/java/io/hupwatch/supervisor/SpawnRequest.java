package io.hupwatch.supervisor;

import java.util.List;
import java.util.Map;

/**
 * What to start for one generation.
 *
 * @param generation  1 for the first, then 2, 3, ...
 * @param command     the program and its arguments
 * @param environment variables added to (or, with a null value, removed from) hupwatch's own environment
 */
public record SpawnRequest(int generation, List<String> command, Map<String, String> environment) {
    public SpawnRequest {
        command = List.copyOf(command);
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
    }
}
