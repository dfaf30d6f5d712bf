import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler writing one JSON object per line to standard output.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var w = JSONWriter(capacity: 256)
        w.raw("{\"time\":"); w.double(Double(WallClock.unixSeconds()))
        w.raw(",\"level\":"); w.string(event.level.rawValue)
        w.raw(",\"logger\":"); w.string(label)
        w.raw(",\"message\":"); w.string(event.message.description)
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            w.raw(","); w.string(key); w.raw(":"); w.string(value.description)
        }
        w.raw("}\n")
        w.withBytes { _ = write(1, $0.baseAddress, $0.count) }
    }
}
