#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing

@testable import Emulator

/// Runs the real emulator (libmicrohttpd daemon, pacer and all) on `127.0.0.1` with a port picked by
/// the kernel, for the length of a test body, and always shuts it down, even when the body throws.
enum TestServer {
    /// A configuration for tests: loopback, port 0, two worker threads.
    static func configuration(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) -> EmulatorConfiguration {
        var c = EmulatorConfiguration()
        c.server.host = "127.0.0.1"
        c.server.port = 0
        c.server.threads = 2
        c.shutdownGraceSeconds = 2
        adjust(&c)
        return c
    }

    /// A logger that drops everything, so access logs don't flood the test output.
    static let quietLogger = Logger(label: "emulator-tests") { _ in SwiftLogNoOpLogHandler() }

    /// Starts the emulator, runs `body` with the bound port, then shuts the emulator down.
    static func withRunning<T>(
        _ configuration: EmulatorConfiguration = TestServer.configuration(), _ body: (Int) throws -> T
    ) throws -> T {
        try withRunningApp(configuration) { _, port in try body(port) }
    }

    /// Like `withRunning`, but also hands the body the app, to look at server internals.
    static func withRunningApp<T>(
        _ configuration: EmulatorConfiguration = TestServer.configuration(), _ body: (EmulatorApp, Int) throws -> T
    ) throws -> T {
        let app = try EmulatorApp(configuration: configuration, logger: quietLogger)
        let port = try app.start()
        #expect(port > 0)
        defer { app.shutdown() }
        return try body(app, port)
    }

    /// Waits (bounded) until `condition` holds; returns whether it did.
    static func eventually(timeoutSeconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let end = MonotonicClock.now() + UInt64(timeoutSeconds * 1e9)
        while MonotonicClock.now() < end {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

extension JSONValue {
    /// Array element lookup for tests.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
