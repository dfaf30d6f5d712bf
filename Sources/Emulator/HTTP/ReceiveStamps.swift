#if canImport(Glibc)
import Glibc
#endif
import CMicroHTTPD

/// When the kernel received the bytes each socket last delivered, so that a request's time to
/// first token counts from its arrival exactly, however long it waited to be read.
///
/// libmicrohttpd reads sockets with `recv`. This module defines `recv` (below), which the
/// executable exports (`--export-dynamic-symbol=recv` in Package.swift), so libmicrohttpd's reads
/// come here: the read is made with `recvmsg` instead, which also returns the kernel's receive stamp
/// (`SO_TIMESTAMPNS`, switched on for the listening socket by `HTTPServer`), and the stamp is kept
/// per file descriptor. Everything else about the read is `recv`'s.
enum ReceiveStamps {
    /// File descriptors below this are tracked (the process's hard limit on open files, at most 2^20).
    static let capacity: Int = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1 << 16 }
        return Int(min(limit.rlim_max, 1 << 20))
    }()

    /// The last stamp per descriptor, as the kernel gives it (CLOCK_REALTIME nanoseconds, 0: none);
    /// turned into monotonic time only when a request asks (`last`), not on every read. `calloc`: the pages of
    /// descriptors never used are never touched. Each slot is written by the thread reading that
    /// socket and read by the same thread when its request is complete.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UInt64> =
        calloc(capacity, MemoryLayout<UInt64>.stride)!.assumingMemoryBound(to: UInt64.self)

    /// Whether libmicrohttpd's `recv` is this module's: true when the running executable exports it.
    static let isActive: Bool = {
        let ours: @convention(c) (Int32, UnsafeMutableRawPointer?, Int, Int32) -> Int = stampedRecv
        guard let found = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "recv") else { return false }
        return found == unsafeBitCast(ours, to: UnsafeMutableRawPointer.self)
    }()

    /// A wall-clock instant (the kernel stamps in CLOCK_REALTIME) on the monotonic clock; 0 stays 0.
    /// Never later than now: a wall clock stepped back since only makes the instant now.
    static func monotonic(fromWall wallNanos: UInt64) -> UInt64 {
        guard wallNanos > 0 else { return 0 }
        let wallNow = WallClock.nanoseconds()
        let now = MonotonicClock.now()
        let age = wallNow > wallNanos ? wallNow - wallNanos : 0
        return age < now ? now - age : 0
    }

    /// When the kernel received the last bytes read from `fd` (monotonic), or 0 when unknown.
    static func last(fd: Int32) -> UInt64 {
        isActive ? stamp(fd: fd) : 0
    }

    /// The kept stamp of `fd` on the monotonic clock, whoever made the read (tests read directly).
    static func stamp(fd: Int32) -> UInt64 {
        guard fd >= 0, Int(fd) < capacity else { return 0 }
        return monotonic(fromWall: table[Int(fd)])
    }
}

/// `recv(2)` for the whole process: the same read, made with `recvmsg`, keeping the kernel's
/// receive stamp of the bytes read in `ReceiveStamps.table`.
@_cdecl("recv")
public func stampedRecv(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    guard fd >= 0, Int(fd) < ReceiveStamps.capacity else { return recvfrom(fd, buffer, count, flags, nil, nil) }
    return CMicroHTTPD_recv_stamped(fd, buffer, count, flags, ReceiveStamps.table + Int(fd))
}
