package io.hupwatch.supervisor;

/**
 * The memory limit hupwatch runs under and how much of it is in use, in bytes.
 *
 * @param limit  the cgroup's limit; -1 when there is none
 * @param used   in use now by everything in the cgroup (hupwatch and its generations), less the page cache
 *               the kernel can drop
 * @param cgroup where it was read, for the log
 */
public record MemoryUse(long limit, long used, String cgroup) {
}
