package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The bytecode changes, on the running JDK's own classes: which calls reach the hooks, and where. */
class InstrumenterTest {

    @Test
    void netBindAsksTheHookFirst() throws Exception {
        List<String> calls = calls(Instrumenter.transform("sun/nio/ch/Net", jdkClass("sun/nio/ch/Net")), "bind",
                "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V");
        assertEquals("sun/nio/ch/HupwatchHooks.bind", calls.get(0));
    }

    @Test
    void serverChannelsFilterListenAndBlockingMode() throws Exception {
        byte[] out = Instrumenter.transform("sun/nio/ch/ServerSocketChannelImpl",
                jdkClass("sun/nio/ch/ServerSocketChannelImpl"));
        List<String> all = calls(out, null, null);
        assertEquals(count(all, "sun/nio/ch/Net.listen"), count(all, "sun/nio/ch/HupwatchHooks.listen"));
        assertEquals(count(all, "sun/nio/ch/IOUtil.configureBlocking"), count(all, "sun/nio/ch/HupwatchHooks.blocking"));
        assertEquals(2, count(all, "sun/nio/ch/HupwatchHooks.listen"), "netBind and unixBind");
    }

    @Test
    void unixFileDeleteAsksTheHook() throws Exception {
        List<String> calls = calls(Instrumenter.transform("sun/nio/fs/UnixFileSystemProvider",
                jdkClass("sun/nio/fs/UnixFileSystemProvider")), "implDelete", "(Ljava/nio/file/Path;Z)Z");
        assertEquals("sun/nio/ch/HupwatchHooks.keepFile", calls.get(0));
    }

    @Test
    void otherClassesAreLeftAlone() throws Exception {
        assertNull(Instrumenter.transform("java/lang/String", jdkClass("java/lang/String")));
    }

    @Test
    void theHookClassIsRenamedIntoTheJdk() throws Exception {
        byte[] bytes;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("io/hupwatch/agent/boot/JdkHooks.class")) {
            assertNotNull(in);
            bytes = in.readAllBytes();
        }
        byte[] renamed = HookSetup.renamed(bytes, "io/hupwatch/agent/boot/JdkHooks", Instrumenter.JDK_HOOKS);
        assertEquals("sun/nio/ch/HupwatchHooks", new ClassReader(renamed).getClassName());
        for (String call : calls(renamed, null, null)) {
            assertEquals(false, call.startsWith("io/hupwatch/"), call);
        }
    }

    private static long count(List<String> calls, String call) {
        return calls.stream().filter(call::equals).count();
    }

    private static byte[] jdkClass(String name) throws Exception {
        return Files.readAllBytes(FileSystems.getFileSystem(URI.create("jrt:/")).getPath("modules", "java.base",
                name + ".class"));
    }

    /** "owner.name" of each method call, in order, in one method (or in all, when name is null). */
    private static List<String> calls(byte[] bytes, String method, String desc) {
        List<String> calls = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String d, String signature, String[] exceptions) {
                if (method != null && !(name.equals(method) && d.equals(desc))) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String dd, boolean itf) {
                        calls.add(owner + "." + n);
                    }
                };
            }
        }, 0);
        return calls;
    }
}
