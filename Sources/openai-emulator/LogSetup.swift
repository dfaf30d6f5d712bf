import Emulator
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Sets up swift-log once, in text or JSON lines on standard output.
enum LogSetup {
    static func bootstrap(level: Logger.Level, format: LogFormat) -> Logger {
        LoggingSystem.bootstrap { label in
            // Buffered: the access log writes one line per request; batching them keeps the
            // write system call off the request path.
            var handler = BufferedLogHandler(label: label, format: format == .json ? .json : .text)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "openai-emulator")
        logger.logLevel = level
        return logger
    }

    /// The start-up line, printed whatever the log level so scripts can read the port.
    static func announce(format: LogFormat, host: String, port: Int, threads: Int, version: String, tls: Bool = false) {
        let scheme = tls ? "https" : "http"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let line: String
        if format == .json {
            line = #"{"level":"notice","message":"listening","address":"\#(scheme)://\#(shownHost):\#(port)","port":\#(port),"threads":\#(threads),"version":"\#(version)"}"#
        } else {
            line = "openai-emulator \(version) listening on \(scheme)://\(shownHost):\(port) (threads: \(threads))"
        }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}
