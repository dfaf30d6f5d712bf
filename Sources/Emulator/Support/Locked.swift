#if canImport(Glibc)
import Glibc
#endif

/// A value that is only read and written while holding a `pthread_mutex_t`: the lock for every piece of
/// shared state in the server (the pacer heap, each stream's state machine, the journal, metrics cells…).
///
/// It replaces `Synchronization.Mutex` for one reason: ThreadSanitizer. On Linux, `Mutex` is a futex
/// driven from the standard library, which is not instrumented, so ThreadSanitizer sees the accesses the
/// lock guards but not the lock, and reports contended accesses as data races. It intercepts
/// `pthread_mutex_lock` and `pthread_mutex_unlock`, so with this type every report it makes is worth
/// reading. Uncontended, a pthread mutex costs about what the futex does (one atomic exchange each way).
/// The mutex is adaptive (`PTHREAD_MUTEX_ADAPTIVE_NP`): a thread that finds it held spins briefly
/// before sleeping, since every critical section here is short; under 64 busy connections this cut
/// the `futex` calls to a third.
///
/// The value and the mutex share one allocation (a `ManagedBuffer`), which keeps the mutex at a fixed
/// address, as POSIX requires; copies of a `Locked` share it.
///
/// - Warning: Never hold the lock across a blocking call, an `await` or a call back into code that may take
///   the same lock: the mutex is not recursive.
struct Locked<State>: @unchecked Sendable {  // Sendable: every access to the value goes through the mutex.
    private final class Storage: ManagedBuffer<State, pthread_mutex_t> {
        deinit {
            _ = withUnsafeMutablePointerToElements { pthread_mutex_destroy($0) }
        }
    }

    private let storage: Storage

    init(_ initial: State) {
        storage = unsafeDowncast(Storage.create(minimumCapacity: 1) { _ in initial }, to: Storage.self)
        storage.withUnsafeMutablePointerToElements { mutex in
            var attributes = pthread_mutexattr_t()
            pthread_mutexattr_init(&attributes)
            pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
            let rc = pthread_mutex_init(mutex, &attributes)
            pthread_mutexattr_destroy(&attributes)
            precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
        }
    }

    /// Runs `body` with exclusive access to the value and returns its result.
    /// - Warning: Blocks while another thread holds the lock.
    @inline(__always)
    func withLock<Result, E: Error>(_ body: (inout State) throws(E) -> Result) throws(E) -> Result {
        try storage.withUnsafeMutablePointers { (state, mutex) throws(E) -> Result in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&state.pointee)
        }
    }
}
