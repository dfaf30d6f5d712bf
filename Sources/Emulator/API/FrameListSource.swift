/// A stream whose frames are all known up front (Responses and Anthropic events): token frames are
/// paced by the latency plan (the first after the time to first token), the others follow at once.
struct FrameListSource: StreamSource {
    private var frames: [(bytes: [UInt8], isToken: Bool)] = []
    private var position = 0
    private var tokenFrames = 0
    private var latency: LatencyPlan

    init(latency: LatencyPlan) { self.latency = latency }

    /// Adds one `event:`/`data:` frame.
    mutating func add(event type: String, data: JSONValue, token: Bool = false) {
        var w = JSONWriter(capacity: 256)
        w.raw("event: "); w.raw(type); w.raw("\ndata: ")
        w.value(data)
        w.raw("\n\n")
        frames.append((w.finish(), token))
    }

    mutating func next() -> StreamEvent? {
        guard position < frames.count else { return nil }
        let frame = frames[position]
        position += 1
        var delay: UInt64 = 0
        if frame.isToken {
            tokenFrames += 1
            delay = tokenFrames == 1 ? latency.ttftNanos : latency.nextITLNanos()
        } else if position == frames.count && tokenFrames == 0 {
            delay = latency.ttftNanos
        }
        return .frame(frame.bytes, afterNanos: delay, token: frame.isToken)
    }
}
