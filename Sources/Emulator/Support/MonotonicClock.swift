#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time in nanoseconds, the one clock used for pacing and durations.
public enum MonotonicClock {
    @inlinable public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The length of a kernel timer tick (the resolution of `CLOCK_MONOTONIC_COARSE`), in nanoseconds.
    public static let tickNanos: UInt64 = {
        var ts = timespec()
        clock_getres(CLOCK_MONOTONIC_COARSE, &ts)
        return max(1, UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec))
    }()
}

/// Wall-clock time in seconds since the epoch (for `created` fields).
public enum WallClock {
    public static func unixSeconds() -> Int { Int(nanoseconds() / 1_000_000_000) }

    /// Nanoseconds since the epoch.
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    public static func unixMilliseconds() -> Int { Int(nanoseconds() / 1_000_000) }
}
