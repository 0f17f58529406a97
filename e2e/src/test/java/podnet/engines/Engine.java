package podnet.engines;

import java.util.OptionalLong;

/** A container engine driven from its command line, as far as the pod network checks need it. */
public interface Engine extends AutoCloseable {
    String name();

    /** Starts creating container {@code name} (running {@code sleep}); returns without waiting. */
    void launch(String name);

    /** The container's init PID once the engine has created it. */
    OptionalLong pid(String name);

    /** Waits until the engine reports the container started (fails with the engine's output if not). */
    void awaitRunning(String name);

    /** Kills the container and waits until the engine has torn it down (CNI DEL included). */
    void remove(String name);

    /** Removes whatever containers are left and stops the engine's own processes. */
    @Override
    void close();
}
