#if canImport(Glibc)
import Glibc
#endif

@testable import Emulator

/// A small blocking HTTP/1.1 client on a POSIX socket, for end-to-end tests: keep-alive, raw writes
/// (split bodies, pipelining), `Content-Length` and chunked bodies, and the arrival time of every chunk
/// so tests can see SSE frames arrive one by one. Every read has a deadline (`SO_RCVTIMEO`).
final class RawHTTPClient {
    enum Failure: Error, CustomStringConvertible {
        case connect(Int32)
        case send(Int32)
        case timeout
        case closed(afterBytes: Int)
        case malformed(String)

        var description: String {
            switch self {
            case .connect(let e): return "connect failed: \(String(cString: strerror(e)))"
            case .send(let e): return "send failed: \(String(cString: strerror(e)))"
            case .timeout: return "timed out waiting for the server"
            case .closed(let n): return "the server closed the connection (after \(n) buffered bytes)"
            case .malformed(let what): return "malformed response: \(what)"
            }
        }
    }

    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        /// Decoded chunks with their arrival time (monotonic ns); empty for `Content-Length` bodies.
        var chunks: [(at: UInt64, bytes: [UInt8])] = []
        var isChunked = false

        func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.name == lower }?.value
        }

        var text: String { String(decoding: body, as: UTF8.self) }

        /// SSE frames (text between blank lines, without the `\n\n`) with the arrival time of the
        /// chunk that completed each.
        var sseFrames: [(at: UInt64, text: String)] {
            var out: [(UInt64, String)] = []
            var pending: [UInt8] = []
            let pieces = isChunked ? chunks : [(at: UInt64(0), bytes: body)]
            for (at, bytes) in pieces {
                pending += bytes
                while let end = RawHTTPClient.find([0x0A, 0x0A], in: pending) {
                    out.append((at, String(decoding: pending[..<end], as: UTF8.self)))
                    pending.removeFirst(end + 2)
                }
            }
            return out
        }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var isClosed = false

    /// Connects to `127.0.0.1:port`; reads give up after `timeoutSeconds`.
    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.connect(errno) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            throw Failure.connect(e)
        }
    }

    deinit { close() }

    func close() {
        if !isClosed {
            isClosed = true
            Glibc.close(fd)
        }
    }

    /// Closes with a TCP reset instead of a FIN (`SO_LINGER` 0), as a crashed client would.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.send(errno) }
            sent += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// The bytes of one request; a body gets `Content-Type: application/json` and a `Content-Length`.
    static func requestBytes(
        _ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = []
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    /// Sends one request and reads its response.
    func request(
        _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = []
    ) throws -> Response {
        try send(RawHTTPClient.requestBytes(method, path, body: body.map { Array($0.utf8) }, headers: headers))
        return try readResponse(method: method)
    }

    /// One request on a fresh connection.
    static func request(
        port: Int, _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = []
    ) throws -> Response {
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        return try client.request(method, path, body: body, headers: headers)
    }

    /// Reads more bytes into the buffer; false when the peer closed the connection.
    @discardableResult
    func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffer += chunk[..<n]
            return true
        }
        if n == 0 { return false }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timeout }
        if errno == ECONNRESET { return false }
        throw Failure.malformed("recv failed: \(String(cString: strerror(errno)))")
    }

    private func line() throws -> [UInt8] {
        while true {
            if let end = RawHTTPClient.find([0x0D, 0x0A], in: buffer) {
                let l = Array(buffer[..<end])
                buffer.removeFirst(end + 2)
                return l
            }
            guard try fill() else { throw Failure.closed(afterBytes: buffer.count) }
        }
    }

    /// Reads a response head (skipping 1xx answers) and leaves the body unread.
    func readHead() throws -> Response {
        while true {
            while RawHTTPClient.find([0x0D, 0x0A, 0x0D, 0x0A], in: buffer) == nil {
                guard try fill() else { throw Failure.closed(afterBytes: buffer.count) }
            }
            let statusLine = String(decoding: try line(), as: UTF8.self)
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw Failure.malformed("status line \(statusLine)")
            }
            var headers: [(name: String, value: String)] = []
            while true {
                let l = try line()
                if l.isEmpty { break }
                let text = String(decoding: l, as: UTF8.self)
                guard let colon = text.firstIndex(of: ":") else { throw Failure.malformed("header \(text)") }
                headers.append((
                    text[..<colon].lowercased(), String(text[text.index(after: colon)...].drop { $0 == " " })
                ))
            }
            if (100..<200).contains(status) { continue }
            return Response(status: status, headers: headers, body: [])
        }
    }

    /// Reads one complete response.
    func readResponse(method: String = "GET") throws -> Response {
        var response = try readHead()
        if method == "HEAD" || response.status == 204 || response.status == 304 { return response }
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            response.isChunked = true
            while true {
                let sizeLine = String(decoding: try line(), as: UTF8.self)
                guard let size = Int(sizeLine.split(separator: ";")[0].trimmingCharacters(in: " "), radix: 16) else {
                    throw Failure.malformed("chunk size \(sizeLine)")
                }
                while buffer.count < size + 2 {
                    guard try fill() else { throw Failure.closed(afterBytes: buffer.count) }
                }
                let data = Array(buffer[..<size])
                guard buffer[size] == 0x0D, buffer[size + 1] == 0x0A else { throw Failure.malformed("chunk end") }
                buffer.removeFirst(size + 2)
                if size == 0 { return response }
                response.chunks.append((MonotonicClock.now(), data))
                response.body += data
            }
        }
        if let length = response.header("content-length").flatMap({ Int($0) }) {
            while buffer.count < length {
                guard try fill() else { throw Failure.closed(afterBytes: buffer.count) }
            }
            response.body = Array(buffer[..<length])
            buffer.removeFirst(length)
            return response
        }
        while try fill() {}
        response.body = buffer
        buffer = []
        return response
    }

    /// Whether the server closed the connection (or reset it) within the read timeout.
    func waitForClose() -> Bool {
        while true {
            do {
                if try !fill() { return true }
            } catch {
                return false
            }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
