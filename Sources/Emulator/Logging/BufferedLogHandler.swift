import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler for standard output that formats each line into bytes and hands it to
/// `BufferedLogOutput`, so logging a request costs formatting only, not a system call. Text lines
/// look exactly like swift-log's `StreamLogHandler` ones; JSON lines like `JSONLogHandler`'s.
public struct BufferedLogHandler: LogHandler {
    public enum Format: Sendable {
        case text
        case json
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format
    private let output: BufferedLogOutput

    public init(label: String, format: Format = .text, output: BufferedLogOutput = .standardOutput) {
        self.label = label
        self.format = format
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata, !extra.isEmpty {
            if all.isEmpty { all = extra } else { all.merge(extra) { $1 } }
        }
        var w = JSONWriter(capacity: 256)
        switch format {
        case .text:
            Timestamp.shared.append(to: &w)
            w.raw(" "); w.raw(event.level.rawValue)
            if !label.isEmpty { w.raw(" "); w.raw(label) }
            w.raw(":")
            for (key, value) in all.sorted(by: { $0.key < $1.key }) {
                w.raw(" "); w.raw(key); w.raw("="); w.raw(value.description)
            }
            w.raw(" ["); w.raw(event.source); w.raw("] "); w.raw(event.message.description); w.raw("\n")
        case .json:
            w.raw("{\"time\":"); w.int(time(nil))
            w.raw(",\"level\":"); w.string(event.level.rawValue)
            w.raw(",\"logger\":"); w.string(label)
            w.raw(",\"message\":"); w.string(event.message.description)
            for (key, value) in all.sorted(by: { $0.key < $1.key }) {
                w.raw(","); w.string(key); w.raw(":"); w.string(value.description)
            }
            w.raw("}\n")
        }
        w.withBytes { output.append($0, urgent: event.level >= .notice) }
    }

    /// Whether `logRequest` writes exactly the line `log(event:)` would for an access-log event.
    var canLogRequestsDirectly: Bool { metadata.isEmpty && logLevel <= .info }

    /// The access-log line of one request, formatted straight into bytes: the same line as
    /// `logger.info("request", metadata: …)` from the `Emulator` module gives, without building
    /// and sorting a metadata dictionary on every request.
    func logRequest(_ summary: RequestSummary) {
        var w = JSONWriter(capacity: 256)
        switch format {
        case .text:
            Timestamp.shared.append(to: &w)
            w.raw(" info")
            if !label.isEmpty { w.raw(" "); w.raw(label) }
            w.raw(": duration_ms="); Self.appendMilliseconds(summary.durationNanos, to: &w)
            w.raw(" http.bytes="); w.int(summary.bytes)
            w.raw(" http.method="); w.raw(summary.method)
            w.raw(" http.path="); w.raw(summary.path)
            w.raw(" http.status="); w.int(summary.status)
            w.raw(" request.id="); w.raw(summary.id)
            w.raw(" [Emulator] request\n")
        case .json:
            w.raw("{\"time\":"); w.int(time(nil))
            w.raw(",\"level\":\"info\",\"logger\":"); w.string(label)
            w.raw(",\"message\":\"request\",\"duration_ms\":\""); Self.appendMilliseconds(summary.durationNanos, to: &w)
            w.raw("\",\"http.bytes\":\""); w.int(summary.bytes)
            w.raw("\",\"http.method\":"); w.string(summary.method)
            w.raw(",\"http.path\":"); w.string(summary.path)
            w.raw(",\"http.status\":\""); w.int(summary.status)
            w.raw("\",\"request.id\":"); w.string(summary.id)
            w.raw("}\n")
        }
        w.withBytes { output.append($0, urgent: false) }
    }

    /// `Double(nanos / 1000) / 1000` as `Double.description` writes it: whole microseconds in
    /// milliseconds, trailing zeros dropped, at least one fractional digit.
    static func appendMilliseconds(_ nanos: UInt64, to w: inout JSONWriter) {
        let micros = nanos / 1000
        w.int(micros / 1000)
        var fraction = micros % 1000
        w.raw(".")
        guard fraction != 0 else { w.raw("0"); return }
        // Up to three digits, leading zeros kept and trailing ones dropped: 5 µs is "005", 50 µs "05".
        var digits = 3
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        var scale: UInt64 = 1
        for _ in 1..<digits { scale *= 10 }
        while scale > 0 {
            w.byte(UInt8(truncatingIfNeeded: 48 + fraction / scale % 10))
            scale /= 10
        }
    }
}

/// `strftime("%Y-%m-%dT%H:%M:%S%z")` of the current second, formatted once per second.
final class Timestamp: Sendable {
    static let shared = Timestamp()
    private let cached = Locked<(second: Int, text: [UInt8])>((-1, []))

    func append(to w: inout JSONWriter) {
        let now = time(nil)
        let text: [UInt8] = cached.withLock { c in
            if c.second == now { return c.text }
            var t = now
            var tmValue = tm()
            var buffer = [CChar](repeating: 0, count: 64)
            if localtime_r(&t, &tmValue) != nil {
                let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &tmValue)
                c.text = buffer.prefix(n).map { UInt8(bitPattern: $0) }
            } else {
                c.text = Array("<unknown>".utf8)
            }
            c.second = now
            return c.text
        }
        w.raw(text)
    }
}
