import CMicroHTTPD
import Logging
import Synchronization

/// Everything the C callbacks need, passed to MHD as their `cls`. Created before the daemon starts
/// and released after it stops.
final class ServerContext: Sendable {
    let handler: any HTTPHandler
    let pacer: Pacer
    let logger: Logger
    let limits: TransportLimits
    let ids: IDGenerator
    /// Streams and held-back answers whose connection may be suspended: MHD must not be stopped
    /// while any is.
    let suspendable = Atomic<Int>(0)
    private let aborting = Atomic<Bool>(false)
    /// Deferred answers whose connections are suspended, resolved at shutdown.
    private let waiting = Locked<[ObjectIdentifier: DeferredResponse]>([:])
    /// Connections served in full (`--max-connections`); libmicrohttpd takes `connectionReserve` more.
    let maxConnections: Int
    /// Open connections that were accepted within `maxConnections` (the others are marked).
    let admittedConnections = Atomic<Int>(0)
    /// The socket context of a connection accepted beyond `maxConnections`.
    private static var overLimit: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 1)! }

    init(handler: any HTTPHandler, pacer: Pacer, logger: Logger, limits: TransportLimits, ids: IDGenerator,
         maxConnections: Int = .max) {
        self.handler = handler
        self.pacer = pacer
        self.logger = logger
        self.limits = limits
        self.ids = ids
        self.maxConnections = maxConnections
    }

    var isAborting: Bool { aborting.load(ordering: .acquiring) }
    func startAborting() { aborting.store(true, ordering: .releasing) }

    // MARK: - Connections

    /// A new connection (MHD thread): admitted while fewer than `maxConnections` are, otherwise marked
    /// in its socket context, and its requests are answered by `handler.overConnectionLimit` (probes
    /// served, the rest refused and closed).
    func connectionOpened(socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        var admitted = admittedConnections.load(ordering: .relaxed)
        while admitted < maxConnections {
            let (done, seen) = admittedConnections.compareExchange(
                expected: admitted, desired: admitted + 1, ordering: .relaxed)
            if done { return }
            admitted = seen
        }
        socketContext.pointee = ServerContext.overLimit
    }

    /// A connection closed (MHD thread): an admitted one frees its place.
    func connectionClosed(socketContext: UnsafeMutableRawPointer?) {
        if socketContext != ServerContext.overLimit { admittedConnections.wrappingSubtract(1, ordering: .relaxed) }
    }

    // MARK: - Access handler

    /// The access handler's logic. Called on an MHD thread; never blocks.
    func access(
        connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
        conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let raw = conCls.pointee else {
            let context = RequestContext(
                id: ids.hex(prefix: "req_", count: 32), method: String(cString: method), path: String(cString: url),
                receivedAt: MonotonicClock.now())
            conCls.pointee = Unmanaged.passRetained(context).toOpaque()
            if let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
                let declared = Int(String(cString: length)), declared > limits.maxBodyBytes
            {
                context.tooLarge = true
                return queue(tooLarge(context, connection), context: context, connection: connection)
            }
            if CMicroHTTPD_socket_context(connection) == ServerContext.overLimit,
                let refusal = handler.overConnectionLimit(makeRequest(context, connection), limit: maxConnections)
            {
                context.tooLarge = true  // a body that follows is dropped, as after an early 413
                return queue(refusal, context: context, connection: connection)
            }
            return .YES
        }
        let context = Unmanaged<RequestContext>.fromOpaque(raw).takeUnretainedValue()
        if let delayed = context.delayed {
            context.delayed = nil
            suspendable.subtract(1, ordering: .relaxed)
            return queue(delayed, context: context, connection: connection)
        }
        if let deferred = context.deferred {
            guard let response = deferred.take() else { return .YES }
            context.deferred = nil
            suspendable.subtract(1, ordering: .relaxed)
            waiting.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(deferred)) }
            return respond(response, context: context, connection: connection)
        }
        if uploadSize.pointee > 0 {
            if !context.tooLarge {
                if context.body.count + uploadSize.pointee > limits.maxBodyBytes {
                    context.tooLarge = true
                    context.body = []
                } else if let uploadData {
                    UnsafeRawPointer(uploadData).withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) {
                        context.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: uploadSize.pointee))
                    }
                }
            }
            uploadSize.pointee = 0
            return .YES
        }
        if context.status != 0 { return .YES }  // answered already (early 413)
        if context.tooLarge {
            return queue(tooLarge(context, connection), context: context, connection: connection)
        }
        context.receivedAt = arrival(of: context, connection)
        var request = makeRequest(context, connection)
        request.body = context.body
        context.body = []
        let response = handler.handle(request)
        context.note = response.note
        return respond(response, context: context, connection: connection)
    }

    /// Queues an answer now, or suspends the connection until it is due or decided.
    private func respond(_ response: HTTPResponse, context: RequestContext, connection: OpaquePointer) -> MHD_Result {
        switch response.body {
        case .deferred(let deferred):
            context.deferred = deferred
            context.onFinish = response.onFinish
            suspendable.add(1, ordering: .relaxed)
            waiting.withLock { $0[ObjectIdentifier(deferred)] = deferred }
            MHD_suspend_connection(connection)
            let handle = ConnectionHandle(pointer: connection)
            if !deferred.attach(waker: { MHD_resume_connection(handle.pointer) }) {
                MHD_resume_connection(connection)
            }
            return .YES
        case .bytes, .closeConnection:
            let due = context.receivedAt &+ response.delayNanos
            if response.delayNanos > 0, !isAborting, due > MonotonicClock.now() {
                context.delayed = response
                suspendable.add(1, ordering: .relaxed)
                MHD_suspend_connection(connection)
                // The pacer may wake a client a slack early: asking a slack later keeps the answer
                // from ever coming before its time.
                pacer.schedule(DelayedWake(connection: ConnectionHandle(pointer: connection)), at: due &+ Pacer.slackNanos)
                return .YES
            }
        case .stream:
            break
        }
        return queue(response, context: context, connection: connection)
    }

    /// Resolves every answer still waiting (shutdown), so no connection stays suspended.
    func releaseWaiting(with response: HTTPResponse) {
        let all = waiting.withLock { w -> [DeferredResponse] in
            let values = Array(w.values)
            w.removeAll()
            return values
        }
        for d in all { d.resolve(response) }
    }

    /// When the request arrived: when the kernel received the last bytes libmicrohttpd read for it
    /// (its receive stamp, see `ReceiveStamps`), else when the kernel received its last bytes, to
    /// the tick, if that was clearly earlier than its first callback (it waited in the server's
    /// queues: under a burst of new connections that wait counts in the client's time to first
    /// token), else the first callback. Never later than the first callback.
    private func arrival(of context: RequestContext, _ connection: OpaquePointer) -> UInt64 {
        let stamp = ReceiveStamps.last(fd: CMicroHTTPD_connection_fd(connection))
        if stamp > 0 { return min(context.receivedAt, stamp) }
        let ageMs = CMicroHTTPD_last_data_age_ms(connection)
        return ServerContext.latestArrival(
            receivedAt: context.receivedAt, ageMs: ageMs, now: MonotonicClock.now(), tickNanos: MonotonicClock.tickNanos)
    }

    /// The latest instant the request's last bytes can have reached the kernel, given their age as
    /// TCP_INFO reports it (`tcpi_last_data_recv`: whole kernel ticks between the tick they came in
    /// and the tick of the call, in milliseconds) and a clock reading `now` taken after that call.
    /// `now` lies in the current tick, so `now - age` lies in the tick the bytes came in, and the
    /// bytes came before that tick ended: `now - age + tick` is never early, and late by less than
    /// two ticks. (`CLOCK_MONOTONIC_COARSE` is no help: on virtual machines it can run a tick or
    /// more behind the ticks TCP counts, which made first tokens up to 3.7 ms early.)
    /// An age of 0 (this tick) or an error (negative) gives the first callback, `receivedAt`.
    static func latestArrival(receivedAt: UInt64, ageMs: Int, now: UInt64, tickNanos: UInt64) -> UInt64 {
        guard ageMs > 0 else { return receivedAt }
        return min(receivedAt, now &- UInt64(ageMs) &* 1_000_000 &+ tickNanos)
    }

    private func tooLarge(_ context: RequestContext, _ connection: OpaquePointer) -> HTTPResponse {
        handler.bodyTooLarge(makeRequest(context, connection), limit: limits.maxBodyBytes)
    }

    private func makeRequest(_ context: RequestContext, _ connection: OpaquePointer) -> HTTPRequest {
        var collected = HeaderCollector()
        collected.headers.reserveCapacity(8)
        withUnsafeMutablePointer(to: &collected) { ptr in
            _ = MHD_get_connection_values(connection, .HEADER_KIND, Trampolines.collectValue, ptr)
            ptr.pointee.collectingQuery = true
            _ = MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, Trampolines.collectValue, ptr)
        }
        var raw: (UInt64, UInt64) = (0, 0)
        let family = withUnsafeMutableBytes(of: &raw) {
            CMicroHTTPD_client_address_bytes(connection, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        var request = HTTPRequest(
            method: context.method, path: context.path, query: collected.query, headers: collected.headers,
            id: context.id, receivedAt: context.receivedAt)
        request.client = ClientAddress(family: UInt8(family), raw: raw)
        request.mayHaveEmulatorHeaders = collected.emulatorHeaders
        return request
    }

    // MARK: - Queueing answers

    private func queue(_ response: HTTPResponse, context: RequestContext, connection: OpaquePointer) -> MHD_Result {
        let mhdResponse: OpaquePointer?
        if response.onFinish != nil { context.onFinish = response.onFinish }
        switch response.body {
        case .deferred:
            return respond(response, context: context, connection: connection)
        case .closeConnection:
            context.status = 0
            return .NO
        case .bytes(var bytes):
            context.bytes = bytes.count
            mhdResponse = bytes.withUnsafeMutableBytes { buffer in
                MHD_create_response_from_buffer(buffer.count, buffer.baseAddress, .RESPMEM_MUST_COPY)
            }
        case .stream(let box):
            let stream = SSEStream(
                source: box.source, connection: ConnectionHandle(pointer: connection), server: self,
                start: min(box.startAt ?? .max, MonotonicClock.now()), status: response.status, receivedAt: context.receivedAt,
                onFinish: context.onFinish)
            context.onFinish = nil
            let opaque = Unmanaged.passRetained(stream).toOpaque()
            // MHD allocates (and zeroes) the block with the response and keeps it for the stream's life,
            // but a chunked stream never uses it: the callback writes straight into the connection's
            // write buffer. Only an HTTP/1.0 client, sent the stream unchunked, is served through the
            // block, in pieces of this size. Small, it saves 3.7 KiB of every held stream.
            mhdResponse = MHD_create_response_from_callback(
                CMicroHTTPD_SIZE_UNKNOWN, 512, Trampolines.readStream, opaque, Trampolines.freeStream)
            if mhdResponse == nil {
                Unmanaged<SSEStream>.fromOpaque(opaque).release()
            } else {
                suspendable.add(1, ordering: .relaxed)
                context.stream = stream
            }
        }
        guard let mhdResponse else {
            logger.error("could not create a response", metadata: ["request.id": "\(context.id)"])
            return .NO
        }
        // `withCString` lends a short string from the stack; passing a String where C wants a
        // pointer copies a short one to the heap.
        for (name, value) in response.headers {
            name.withCString { n in value.withCString { v in _ = MHD_add_response_header(mhdResponse, n, v) } }
        }
        let elapsedMs = (MonotonicClock.now() &- context.receivedAt) / 1_000_000
        String(decimal: Int(truncatingIfNeeded: elapsedMs)).withCString { _ = MHD_add_response_header(mhdResponse, "openai-processing-ms", $0) }
        context.status = response.status
        let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
        MHD_destroy_response(mhdResponse)
        return result
    }

    // MARK: - Completion

    /// The request-completed callback's logic: release the context and report the request.
    func completed(conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, code: MHD_RequestTerminationCode) {
        guard let conCls, let raw = conCls.pointee else { return }
        conCls.pointee = nil
        let context = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
        if context.delayed != nil || context.deferred != nil {
            // The connection died while its answer was held back (only at shutdown).
            suspendable.subtract(1, ordering: .relaxed)
            if let d = context.deferred { waiting.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(d)) } }
        }
        var summary = RequestSummary(
            id: context.id, method: context.method, path: context.path, status: context.status, bytes: context.bytes,
            durationNanos: MonotonicClock.now() &- context.receivedAt, streamed: context.stream != nil,
            streamOutcome: nil, framesSent: 0, note: context.note)
        if code != .REQUEST_TERMINATED_COMPLETED_OK && context.stream == nil && summary.status == 0 {
            summary.status = 499
        }
        handler.completed(summary)
        if let onFinish = context.onFinish {
            let ok = code == .REQUEST_TERMINATED_COMPLETED_OK
            onFinish(FinishedResponse(
                status: summary.status, outcome: ok ? .completed : .clientGone, receivedAt: context.receivedAt,
                finishedAt: MonotonicClock.now()))
        }
    }

    /// The response free callback for streams.
    func streamFreed(_ stream: SSEStream) {
        _ = stream.freed()
        suspendable.subtract(1, ordering: .relaxed)
    }
}

/// Gathers headers (lowercased) and query arguments from MHD's value iterator.
struct HeaderCollector {
    var headers: [(name: String, value: String)] = []
    var query: [(name: String, value: String)] = []
    var collectingQuery = false
    /// Whether any header name starts with `x-emulator-`.
    var emulatorHeaders = false
}
