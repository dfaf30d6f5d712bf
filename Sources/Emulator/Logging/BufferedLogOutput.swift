#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Standard output with batching: lines are appended to a buffer that a background thread writes
/// out every `interval` (or as soon as it holds 64 KiB), so a busy server does one `write` for
/// hundreds of access-log lines instead of one each. Lines at `notice` and above, and everything
/// once the process exits, are written at once.
/// - Warning: `append` may be called from any thread and never blocks beyond a short lock.
public final class BufferedLogOutput: Sendable {
    /// The process-wide instance for file descriptor 1.
    public static let standardOutput = BufferedLogOutput(fd: 1)

    private let fd: Int32
    private let pending = Locked<[UInt8]>([])
    private let started = Atomic<Bool>(false)
    private static let flushBytes = 64 * 1024
    private static let intervalMicros: UInt32 = 50_000

    init(fd: Int32) { self.fd = fd }

    /// Adds one or more complete lines.
    public func append(_ line: UnsafeRawBufferPointer, urgent: Bool) {
        startIfNeeded()
        let full: [UInt8]? = pending.withLock { p in
            p.append(contentsOf: line.bindMemory(to: UInt8.self))
            guard urgent || p.count >= BufferedLogOutput.flushBytes else { return nil }
            let out = p
            p.removeAll(keepingCapacity: true)
            return out
        }
        if let full { writeAll(full) }
    }

    /// Writes out whatever is buffered.
    public func flush() {
        let out: [UInt8] = pending.withLock { p in
            let out = p
            p.removeAll(keepingCapacity: true)
            return out
        }
        if !out.isEmpty { writeAll(out) }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stdout closed or full: drop rather than block the server
                }
            }
        }
    }

    private func startIfNeeded() {
        guard !started.load(ordering: .relaxed),
            started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        atexit { BufferedLogOutput.standardOutput.flush() }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { arg in
            let output = Unmanaged<BufferedLogOutput>.fromOpaque(arg!).takeUnretainedValue()
            while true {
                usleep(BufferedLogOutput.intervalMicros)
                output.flush()
            }
        }, box)
        pthread_detach(thread)
    }
}
