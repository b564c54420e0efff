package io.hupwatch.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The -javaagent option as one word of JAVA_TOOL_OPTIONS, which the JVM splits at white space outside quotes. */
class JvmAgentToolOptionTest {
    @Test
    void aPathWithoutSpacesIsLeftAsItIs() {
        assertEquals("-javaagent:/opt/hupwatch/lib/hupwatch-agent.jar",
                JvmAgent.toolOption("-javaagent:/opt/hupwatch/lib/hupwatch-agent.jar"));
    }

    @Test
    void aPathWithASpaceIsQuotedAndOneWithADoubleQuoteInSingleQuotes() {
        assertEquals("\"-javaagent:/opt/my apps/hupwatch-agent.jar\"", JvmAgent.toolOption("-javaagent:/opt/my apps/hupwatch-agent.jar"));
        assertEquals("'-javaagent:/opt/a\"b/hupwatch-agent.jar'", JvmAgent.toolOption("-javaagent:/opt/a\"b/hupwatch-agent.jar"));
    }
}
