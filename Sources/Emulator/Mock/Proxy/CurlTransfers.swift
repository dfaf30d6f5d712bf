#if canImport(Glibc)
import Glibc
#endif
import CCurl

/// Receives what one transfer brings back, in order: the head once (unless the upstream could
/// not be reached), the body in pieces as they arrive, then the end once.
/// - Warning: Called on the transfer thread; must not block.
protocol TransferObserver: AnyObject, Sendable {
    func transferHead(status: Int, contentType: String)
    func transferBody(_ bytes: [UInt8])
    /// `error` is nil when the whole answer arrived.
    func transferEnd(error: String?)
}

/// An HTTP request to send upstream.
struct OutgoingRequest: Sendable {
    var method: String
    var url: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
}

/// libcurl, loaded when the first proxy is made: a server without `--proxy-to` never loads it
/// (nor the thirty-odd libraries it links: OpenSSL, Kerberos, LDAP, SSH, ...).
enum CurlLibrary {
    struct LoadError: Error, Sendable {
        let message: String
    }

    /// libcurl's entry points: addresses that never change once loaded.
    struct Functions: @unchecked Sendable {
        var c = CCurl_API()
    }

    /// libcurl's functions, or why the dynamic loader could not provide them.
    static let functions: Result<Functions, LoadError> = {
        var api = Functions()
        if let error = CCurl_load(&api.c) { return .failure(LoadError(message: String(cString: error))) }
        _ = api.c.global_init(Int(CCurl_GLOBAL_DEFAULT))
        return .success(api)
    }()
}

/// HTTP transfers on libcurl's multi interface, all driven by one thread of their own: any thread
/// may start a transfer, and its observer hears from that thread.
final class CurlTransfers: @unchecked Sendable {  // Sendable: `queued` is locked; the rest belongs to the transfer thread.
    private let api: CCurl_API
    private let multi: UnsafeMutableRawPointer
    private let queued = Locked<[(OutgoingRequest, any TransferObserver)]>([])
    /// Transfers under way, by their easy handle. Transfer thread only.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    /// Loads libcurl if needed and starts the transfer thread, which lives as long as the process.
    /// - Throws: `CurlLibrary.LoadError` when libcurl cannot be loaded.
    init() throws(CurlLibrary.LoadError) {
        api = try CurlLibrary.functions.get().c
        guard let multi = api.multi_init() else { throw CurlLibrary.LoadError(message: "curl_multi_init failed") }
        self.multi = multi
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<CurlTransfers>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "could not start the upstream transfer thread")
        pthread_detach(thread)
    }

    /// Sends `request`; `observer` hears the answer on the transfer thread.
    func start(_ request: OutgoingRequest, observer: any TransferObserver) {
        queued.withLock { $0.append((request, observer)) }
        _ = api.multi_wakeup(multi)
    }

    private func run() {
        var running: Int32 = 0
        var left: Int32 = 0
        var ready: Int32 = 0
        while true {
            for (request, observer) in queued.withLock({ q in defer { q.removeAll() }; return q }) {
                begin(request, observer: observer)
            }
            _ = api.multi_perform(multi, &running)
            while let message = api.multi_info_read(multi, &left) {
                guard message.pointee.msg == Int32(CCurl_MSG_DONE), let handle = message.pointee.easy_handle else { continue }
                end(handle, code: message.pointee.data.result)
            }
            _ = api.multi_poll(multi, nil, 0, 1000, &ready)
        }
    }

    private func begin(_ request: OutgoingRequest, observer: any TransferObserver) {
        guard let handle = api.easy_init() else {
            observer.transferEnd(error: "curl_easy_init failed")
            return
        }
        let transfer = Transfer(observer: observer)
        var api = self.api
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        _ = request.url.withCString { CCurl_set_pointer(&api, handle, Int32(CCurl_OPT_URL), $0) }
        _ = CCurl_set_long(&api, handle, Int32(CCurl_OPT_NOSIGNAL), 1)
        _ = CCurl_set_long(&api, handle, Int32(CCurl_OPT_CONNECTTIMEOUT_MS), 30_000)
        _ = CCurl_set_long(&api, handle, Int32(CCurl_OPT_TIMEOUT_MS), 3_600_000)
        // An upstream silent for ten minutes is given up on, as a client would.
        _ = CCurl_set_long(&api, handle, Int32(CCurl_OPT_LOW_SPEED_LIMIT), 1)
        _ = CCurl_set_long(&api, handle, Int32(CCurl_OPT_LOW_SPEED_TIME), 600)
        _ = CCurl_set_pointer(&api, handle, Int32(CCurl_OPT_ERRORBUFFER), transfer.errorText)
        _ = CCurl_set_callback(&api, handle, Int32(CCurl_OPT_WRITEFUNCTION), CurlTransfers.bodyCallback)
        _ = CCurl_set_pointer(&api, handle, Int32(CCurl_OPT_WRITEDATA), context)
        _ = CCurl_set_callback(&api, handle, Int32(CCurl_OPT_HEADERFUNCTION), CurlTransfers.headerCallback)
        _ = CCurl_set_pointer(&api, handle, Int32(CCurl_OPT_HEADERDATA), context)
        // No `Expect: 100-continue` round trip before large bodies.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            transfer.headerList = line.withCString { api.slist_append(transfer.headerList, $0) }
        }
        _ = CCurl_set_pointer(&api, handle, Int32(CCurl_OPT_HTTPHEADER), UnsafeRawPointer(transfer.headerList))
        switch request.method {
        case "GET" where request.body.isEmpty:
            _ = CCurl_set_long(&api, handle, Int32(CCurl_OPT_HTTPGET), 1)
        case "HEAD":
            _ = CCurl_set_long(&api, handle, Int32(CCurl_OPT_NOBODY), 1)
        default:
            if request.method != "POST" {
                _ = request.method.withCString { CCurl_set_pointer(&api, handle, Int32(CCurl_OPT_CUSTOMREQUEST), $0) }
            }
            if request.method == "POST" || !request.body.isEmpty {
                _ = CCurl_set_size(&api, handle, Int32(CCurl_OPT_POSTFIELDSIZE_LARGE), Int64(request.body.count))
                // libcurl copies exactly the size set above; an empty body still needs a pointer.
                _ = request.body.withUnsafeBytes {
                    CCurl_set_pointer(&api, handle, Int32(CCurl_OPT_COPYPOSTFIELDS), $0.baseAddress ?? UnsafeRawPointer(CurlTransfers.noBytes.utf8Start))
                }
            }
        }
        active[handle] = transfer
        if api.multi_add_handle(multi, handle) != 0 {
            active[handle] = nil
            release(handle, transfer)
            observer.transferEnd(error: "curl_multi_add_handle failed")
        }
    }

    private func end(_ handle: UnsafeMutableRawPointer, code: Int32) {
        guard let transfer = active.removeValue(forKey: handle) else { return }
        _ = api.multi_remove_handle(multi, handle)
        var error: String?
        if code != 0 {
            let detail = transfer.errorText.pointee != 0 ? String(cString: transfer.errorText) : nil
            error = detail ?? api.easy_strerror(code).map { String(cString: $0) } ?? "curl error \(code)"
        } else if !transfer.headSent {
            var api = self.api
            transfer.sendHead(status: CCurl_response_code(&api, handle))
        }
        release(handle, transfer)
        transfer.observer.transferEnd(error: error)
    }

    private func release(_ handle: UnsafeMutableRawPointer, _ transfer: Transfer) {
        api.easy_cleanup(handle)
        api.slist_free_all(transfer.headerList)
        transfer.headerList = nil
    }

    /// A lasting pointer for an empty body.
    static let noBytes: StaticString = ""

    static let bodyCallback: CCurl_DataCallback = { data, size, count, context in
        let n = size * count
        guard let data, let context else { return n }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        if !transfer.headSent { transfer.sendHead(status: transfer.status) }
        transfer.observer.transferBody([UInt8](UnsafeRawBufferPointer(start: data, count: n)))
        return n
    }

    static let headerCallback: CCurl_DataCallback = { data, size, count, context in
        let n = size * count
        guard let data, let context else { return n }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        transfer.header(line: UnsafeRawBufferPointer(start: data, count: n))
        return n
    }
}

/// One transfer's state between libcurl's callbacks. Transfer thread only.
private final class Transfer {
    let observer: any TransferObserver
    var headerList: OpaquePointer?
    /// Where libcurl writes a failed transfer's explanation.
    let errorText: UnsafeMutablePointer<CChar>
    var status = 0
    var contentType = "application/json"
    var headSent = false

    init(observer: any TransferObserver) {
        self.observer = observer
        errorText = .allocate(capacity: Int(CCurl_ERROR_SIZE))
        errorText.initialize(to: 0)
    }

    deinit { errorText.deallocate() }

    /// One header line as libcurl hands it over, with its line end: a status line, a field, or
    /// the empty line that ends a head (an interim `1xx` head is skipped).
    func header(line raw: UnsafeRawBufferPointer) {
        let line = String(decoding: raw, as: UTF8.self).trimmingASCIIWhitespace()
        if line.hasPrefix("HTTP/") {
            let code = line.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
            status = code ?? 502
            contentType = "application/json"
        } else if line.isEmpty {
            if status >= 200 && !headSent { sendHead(status: status) }
        } else if let colon = line.firstIndex(of: ":"), HTTPRequest.sameName("content-type", String(line[..<colon])) {
            contentType = String(line[line.index(after: colon)...]).trimmingASCIIWhitespace()
        }
    }

    func sendHead(status: Int) {
        headSent = true
        observer.transferHead(status: status == 0 ? 502 : status, contentType: contentType)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends.
    fileprivate func trimmingASCIIWhitespace() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
