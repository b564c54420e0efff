package io.hupwatch.supervisor;

import java.util.Locale;

/** The POSIX signals hupwatch sends, handles or forwards, with their Linux numbers. */
public enum PosixSignal {
    HUP(1), INT(2), QUIT(3), ABRT(6), KILL(9), USR1(10), SEGV(11), USR2(12), PIPE(13), ALRM(14),
    TERM(15), CHLD(17), CONT(18), STOP(19), TSTP(20), TTIN(21), TTOU(22), WINCH(28);

    private final int number;

    PosixSignal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** {@code SIGTERM}, as operators write it. */
    public String displayName() {
        return "SIG" + name();
    }

    /**
     * Parses {@code TERM}, {@code SIGTERM}, {@code term} or {@code 15}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static PosixSignal parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        for (PosixSignal sig : values()) {
            if (sig.name().equals(s) || String.valueOf(sig.number).equals(s)) {
                return sig;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a signal hupwatch knows: use a name"
                + " such as TERM, INT, QUIT, USR1 or USR2, with or without SIG, or its number");
    }

    /** The signal whose number is {@code number}, or null. */
    public static PosixSignal byNumber(int number) {
        for (PosixSignal sig : values()) {
            if (sig.number == number) {
                return sig;
            }
        }
        return null;
    }
}
