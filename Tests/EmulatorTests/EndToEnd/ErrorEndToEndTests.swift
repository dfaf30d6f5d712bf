import Testing

@testable import Emulator

/// Error answers from the real server: status, OpenAI envelope, `param`, headers.
@Suite struct ErrorEndToEndTests {
    /// The inner error object, after checking the envelope has exactly its four keys.
    func envelope(_ r: RawHTTPClient.Response) throws -> JSONValue {
        #expect(r.header("content-type")?.hasPrefix("application/json") == true)
        #expect(r.header("access-control-allow-origin") == "*")
        #expect(r.header("x-request-id")?.isEmpty == false)
        let json = try JSONParser.parse(r.body)
        #expect(json.objectValue?.keys == ["error"])
        let error = try #require(json["error"])
        #expect(Set(error.objectValue?.keys ?? []) == ["message", "type", "param", "code"])
        #expect(error["message"]?.stringValue?.isEmpty == false)
        return error
    }

    @Test(.timeLimit(.minutes(1)))
    func unknownRouteIs404NamingMethodAndPath() throws {
        try TestServer.withRunning { port in
            let r = try RawHTTPClient.request(port: port, "DELETE", "/v1/nothing/here")
            #expect(r.status == 404)
            let error = try envelope(r)
            #expect(error["type"] == "invalid_request_error")
            #expect(error["message"]?.stringValue?.contains("DELETE /v1/nothing/here") == true)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func wrongMethodIs405WithAllow() throws {
        try TestServer.withRunning { port in
            let r = try RawHTTPClient.request(port: port, "GET", "/v1/chat/completions")
            #expect(r.status == 405)
            #expect(r.header("allow")?.contains("POST") == true)
            let error = try envelope(r)
            #expect(error["param"] == .null)
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: [
        (#"{"model":"m","messages":["#, JSONValue.null),
        (#"[1,2]"#, .null),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"m","messages":[]}"#, "messages"),
        (#"{"model":"m","messages":{"role":"user"}}"#, "messages"),
        (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"},{"role":"wizard","content":"x"}]}"#, "messages[1].role"),
        (#"{"model":"m","messages":[{"role":"user","content":42}]}"#, "messages[0].content"),
    ])
    func badRequestsAre400NamingTheParameter(body: String, param: JSONValue) throws {
        try TestServer.withRunning { port in
            let r = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: body)
            #expect(r.status == 400)
            let error = try envelope(r)
            #expect(error["type"] == "invalid_request_error")
            #expect(error["param"] == param)
            // The message names the field, or for an unknown value the value itself (as the real API does).
            let message = error["message"]?.stringValue ?? ""
            if case .string(let name) = param {
                #expect(message.contains(name) || message.contains("'wizard'"), "\(message)")
            } else {
                #expect(message.contains("JSON") || message.contains("object"), "\(message)")
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func bodyOverTheCapIs413AndTheServerKeepsServing() throws {
        let config = TestServer.configuration { $0.server.limits.maxBodyBytes = 1024 }
        try TestServer.withRunning(config) { port in
            let big = #"{"model":"m","messages":[{"role":"user","content":""# + String(repeating: "x", count: 5000) + #""}]}"#
            let r = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: big)
            #expect(r.status == 413)
            let error = try envelope(r)
            #expect(error["message"]?.stringValue?.contains("1024") == true)
            let ok = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: ChatEndToEndTests.chat)
            #expect(ok.status == 200)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func chunkedBodyOverTheCapIs413() throws {
        let config = TestServer.configuration { $0.server.limits.maxBodyBytes = 1024 }
        try TestServer.withRunning(config) { port in
            let client = try RawHTTPClient(port: port)
            defer { client.close() }
            var bytes = Array("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            for _ in 0..<4 { bytes += Array("200\r\n".utf8) + [UInt8](repeating: 0x20, count: 512) + [0x0D, 0x0A] }
            bytes += Array("0\r\n\r\n".utf8)
            try? client.send(bytes)
            let r = try client.readResponse()
            #expect(r.status == 413)
            _ = try envelope(r)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func apiKeysAreEnforced() throws {
        let config = TestServer.configuration { $0.apiKeys = ["sk-one", "sk-two"] }
        try TestServer.withRunning(config) { port in
            let none = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: ChatEndToEndTests.chat)
            #expect(none.status == 401)
            #expect(try envelope(none)["code"] == "invalid_api_key")
            let wrong = try RawHTTPClient.request(
                port: port, "GET", "/v1/models", headers: [("Authorization", "Bearer sk-three")])
            #expect(wrong.status == 401)
            let right = try RawHTTPClient.request(
                port: port, "GET", "/v1/models", headers: [("Authorization", "Bearer sk-two")])
            #expect(right.status == 200)
            #expect(try RawHTTPClient.request(port: port, "GET", "/health").status == 200)
        }
    }
}
