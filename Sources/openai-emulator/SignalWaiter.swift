#if canImport(Glibc)
import Glibc
#endif

/// Shutdown signals are blocked in every thread and received synchronously by the main thread,
/// so no signal handler runs on a server thread.
enum SignalWaiter {
    private static var shutdownSet: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }

    /// Call before any thread starts, so all threads inherit the mask.
    static func blockShutdownSignals() {
        var set = shutdownSet
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until SIGINT or SIGTERM arrives; returns its name.
    static func waitForShutdown() -> String {
        var set = shutdownSet
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received == SIGINT ? "SIGINT" : "SIGTERM"
    }
}
