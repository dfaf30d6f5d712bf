#if canImport(Glibc)
import Glibc
#endif

/// Signals are blocked in every thread and received synchronously by the main thread, so no
/// signal handler ever runs on a server thread.
enum SignalWaiter {
    enum Received {
        case terminate
        case interrupt
        case hangUp
    }

    private static var handledSet: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        return set
    }

    /// Call before any thread starts, so all threads inherit the mask.
    static func blockHandledSignals() {
        var set = handledSet
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until SIGINT, SIGTERM or SIGHUP arrives.
    static func next() -> Received {
        var set = handledSet
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        switch received {
        case SIGHUP: return .hangUp
        case SIGINT: return .interrupt
        default: return .terminate
        }
    }
}
