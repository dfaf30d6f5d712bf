#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing

@testable import Emulator

/// The direct access-log line must be byte for byte the line the generic swift-log path writes.
struct AccessLogLineTests {
    @Test func millisecondsAreWrittenAsDoubleDescriptionWritesThem() {
        let samples: [UInt64] = [0, 999, 1_000, 5_000, 50_000, 120_000, 1_000_000, 1_005_000, 1_230_000, 12_345_678,
                                 999_999_999, 3_600_000_000_000, 7_000_123]
        for nanos in samples {
            var w = JSONWriter(capacity: 32)
            BufferedLogHandler.appendMilliseconds(nanos, to: &w)
            #expect(String(decoding: w.finish(), as: UTF8.self) == (Double(nanos / 1000) / 1000).description, "\(nanos)")
        }
    }

    /// Lines written through a handler into a pipe, timestamps removed.
    static func lines(format: BufferedLogHandler.Format, _ write: (BufferedLogHandler, Logger) -> Void) -> [String] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let output = BufferedLogOutput(fd: fds[1])
        let handler = BufferedLogHandler(label: "openai-emulator", format: format, output: output)
        write(handler, Logger(label: "openai-emulator", factory: { _ in handler }))
        output.flush()
        close(fds[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        close(fds[0])
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
            // Text lines start with the local time; JSON lines carry it as "time".
            if format == .text { return String(line.drop { $0 != " " }) }
            return String(line.replacing(/"time":\d+/, with: #""time":0"#))
        }
    }

    @Test(arguments: [BufferedLogHandler.Format.text, .json], [
        RequestSummary(id: "req_1", method: "POST", path: "/v1/chat/completions", status: 200, bytes: 321,
                       durationNanos: 1_234_567, streamed: false, streamOutcome: nil, framesSent: 0),
        RequestSummary(id: "req_\"2", method: "GET", path: "/v1/models", status: 404, bytes: 0,
                       durationNanos: 12_000_000, streamed: false, streamOutcome: nil, framesSent: 0),
        RequestSummary(id: "r", method: "GET", path: "/health", status: 200, bytes: 7,
                       durationNanos: 999, streamed: false, streamOutcome: nil, framesSent: 0),
        RequestSummary(id: "r", method: "GET", path: "/", status: 200, bytes: 7,
                       durationNanos: 3_050_000_999, streamed: false, streamOutcome: nil, framesSent: 0),
    ])
    func directLineEqualsGenericLine(format: BufferedLogHandler.Format, summary: RequestSummary) {
        let written = Self.lines(format: format) { handler, logger in
            handler.logRequest(summary)
            logger.info("request", metadata: [
                "request.id": "\(summary.id)", "http.method": "\(summary.method)", "http.path": "\(summary.path)",
                "http.status": "\(summary.status)", "http.bytes": "\(summary.bytes)",
                "duration_ms": "\(Double(summary.durationNanos / 1000) / 1000)",
            ], source: "Emulator")
        }
        #expect(written.count == 2)
        #expect(written.first == written.last)
    }
}
