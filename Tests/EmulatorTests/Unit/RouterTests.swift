import Logging
import Testing

@testable import Emulator

@Suite struct RouterTests {
    func router(keys: [String] = []) -> Router {
        var r = Router(apiKeys: keys, logger: TestServer.quietLogger)
        r.add("GET", "/health", auth: .none) { request, _ in
            ResponseFactory.json(200, Array("{}".utf8), request: request)
        }
        r.add("POST", "/v1/things") { request, _ in ResponseFactory.json(201, Array("{}".utf8), request: request) }
        r.add("GET", "/v1/things/{id}") { request, captures throws(APIError) in
            guard captures[0] != "missing" else { throw .modelNotFound(captures[0]) }
            return ResponseFactory.json(200, Array("{\"id\":\"\(captures[0])\"}".utf8), request: request)
        }
        r.add("DELETE", "/v1/things/{id}") { request, _ in ResponseFactory.json(200, [], request: request) }
        return r
    }

    func request(_ method: String, _ path: String, headers: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest(method: method, path: path, headers: headers.map { ($0.0.lowercased(), $0.1) }, id: "req_1")
    }

    func error(_ response: HTTPResponse) throws -> JSONValue {
        guard case .bytes(let b) = response.body else { throw APIError.serverError("not bytes") }
        return try #require(try JSONParser.parse(b)["error"])
    }

    func header(_ response: HTTPResponse, _ name: String) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func routesAndCaptures() throws {
        let r = router()
        #expect(r.handle(request("POST", "/v1/things")).status == 201)
        let got = r.handle(request("GET", "/v1/things/a%2Fb"))
        #expect(got.status == 200)
        guard case .bytes(let b) = got.body else { return }
        #expect(try JSONParser.parse(b)["id"] == "a/b")
        #expect(r.handle(request("GET", "/health/")).status == 200, "a trailing slash is the same path")
    }

    @Test func routesMatchInTheOrderTheyWereAdded() throws {
        var r = Router(apiKeys: [], logger: TestServer.quietLogger)
        r.add("GET", "/v1/items/{id}") { request, captures in
            ResponseFactory.json(200, Array("{\"captured\":\"\(captures[0])\"}".utf8), request: request)
        }
        r.add("GET", "/v1/items/special") { request, _ in ResponseFactory.json(202, [], request: request) }
        r.add("POST", "/v1/items/special") { request, _ in ResponseFactory.json(201, [], request: request) }
        r.add("GET", "/v1/plain") { request, _ in ResponseFactory.json(203, [], request: request) }
        // The earlier route with a capture wins over the later literal one, as it always did.
        #expect(r.handle(request("GET", "/v1/items/special")).status == 200)
        // A literal route is still found for a method the capture route does not take.
        #expect(r.handle(request("POST", "/v1/items/special")).status == 201)
        #expect(r.handle(request("GET", "/v1/plain")).status == 203)
        #expect(r.handle(request("HEAD", "/v1/plain")).status == 203)
        #expect(r.handle(request("GET", "//v1//plain/")).status == 203, "empty segments are ignored")
        let wrongMethod = r.handle(request("DELETE", "/v1/plain"))
        #expect(wrongMethod.status == 405)
        #expect(header(wrongMethod, "Allow")?.contains("GET") == true)
    }

    @Test func globsMatchModelNames() {
        #expect(Glob.matches("o1*", "o1-mini"))
        #expect(Glob.matches("gpt-?o*", "gpt-4o-mini"))
        #expect(Glob.matches("*", ""))
        #expect(Glob.matches("*mini", "gpt-4o-mini"))
        #expect(Glob.matches("a*b*c", "axxbyyc"))
        #expect(!Glob.matches("a*b*c", "axxbyy"))
        #expect(!Glob.matches("o1*", "gpt-4o"))
        #expect(!Glob.matches("gpt-4o", "gpt-4o-mini"))
        #expect(Glob.matches("gpt-4o", "gpt-4o"))
        #expect(Glob.matches("modèle-*", "modèle-été"))
        // The first-character shortcut: empty texts and patterns, wildcards first.
        #expect(!Glob.matches("a", ""))
        #expect(Glob.matches("", ""))
        #expect(!Glob.matches("", "a"))
        #expect(Glob.matches("?1*", "o1-mini"))
        #expect(!Glob.matches("é*", "e"))
    }

    @Test func bearerSchemeIsCaseInsensitive() {
        #expect(Router.presentedKey(request("GET", "/", headers: [("Authorization", "Bearer sk-1")])) == "sk-1")
        #expect(Router.presentedKey(request("GET", "/", headers: [("Authorization", "  bEaReR   sk-2 ")])) == "sk-2")
        #expect(Router.presentedKey(request("GET", "/", headers: [("Authorization", "Basic abc")])) == "Basic abc")
        #expect(Router.presentedKey(request("GET", "/", headers: [("Authorization", "Bear")])) == "Bear")
        #expect(Router.presentedKey(request("GET", "/", headers: [("api-key", "k3")])) == "k3")
    }

    @Test func endpointErrorsBecomeEnvelopes() throws {
        let response = router().handle(request("GET", "/v1/things/missing"))
        #expect(response.status == 404)
        #expect(try error(response)["code"] == "model_not_found")
        #expect(header(response, "x-request-id") == "req_1")
        #expect(header(response, "Access-Control-Allow-Origin") == "*")
    }

    @Test func unknownPathIs404NamingMethodAndPath() throws {
        let response = router().handle(request("PATCH", "/v1/nothing"))
        #expect(response.status == 404)
        let e = try error(response)
        #expect(e["message"]?.stringValue?.contains("PATCH /v1/nothing") == true)
        #expect(e["type"] == "invalid_request_error")
        #expect(e["param"] == .null)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let response = router().handle(request("PUT", "/v1/things/x"))
        #expect(response.status == 405)
        let allow = Set((header(response, "Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ") })
        #expect(allow == ["GET", "DELETE", "OPTIONS"])
        #expect(try error(response)["message"]?.stringValue?.contains("PUT") == true)
    }

    @Test func headIsServedByGetRoutes() {
        #expect(router().handle(request("HEAD", "/health")).status == 200)
    }

    @Test func optionsIsAPreflightOnAnyPath() {
        for path in ["/v1/things", "/nowhere/at/all"] {
            let response = router(keys: ["k"]).handle(
                request("OPTIONS", path, headers: [("Access-Control-Request-Headers", "authorization, x-custom")]))
            #expect(response.status == 204)
            #expect(header(response, "Access-Control-Allow-Origin") == "*")
            #expect(header(response, "Access-Control-Allow-Methods")?.contains("POST") == true)
            #expect(header(response, "Access-Control-Allow-Headers") == "authorization, x-custom")
        }
    }

    @Test func keysAreEnforcedOnAuthenticatedRoutesOnly() throws {
        let r = router(keys: ["sk-1", "sk-2"])
        let none = r.handle(request("POST", "/v1/things"))
        #expect(none.status == 401)
        #expect(try error(none)["code"] == "invalid_api_key")
        #expect(try error(none)["type"] == "invalid_request_error")
        let wrong = r.handle(request("POST", "/v1/things", headers: [("Authorization", "Bearer sk-3-long-enough")]))
        #expect(wrong.status == 401)
        #expect(try error(wrong)["message"]?.stringValue?.contains("sk-3-long-enough") == false, "the key is masked")
        #expect(r.handle(request("POST", "/v1/things", headers: [("Authorization", "Bearer sk-2")])).status == 201)
        #expect(r.handle(request("POST", "/v1/things", headers: [("Authorization", "bearer  sk-1 ")])).status == 201)
        #expect(r.handle(request("GET", "/health")).status == 200)
        #expect(r.handle(request("GET", "/nowhere")).status == 404)
    }

    @Test func withoutKeysAnythingPasses() {
        #expect(router().handle(request("POST", "/v1/things")).status == 201)
        #expect(router().handle(request("POST", "/v1/things", headers: [("Authorization", "Bearer x")])).status == 201)
    }

    @Test func presentedKeyHeaders() {
        #expect(Router.presentedKey(request("GET", "/", headers: [("Authorization", "Bearer abc")])) == "abc")
        #expect(Router.presentedKey(request("GET", "/", headers: [("api-key", "azure")])) == "azure")
        #expect(Router.presentedKey(request("GET", "/", headers: [("x-api-key", "anthropic")])) == "anthropic")
        #expect(Router.presentedKey(request("GET", "/")) == nil)
    }

    @Test func overTheConnectionLimitOnlyProbesAreServed() throws {
        let r = router(keys: ["sk-1"])
        #expect(r.overConnectionLimit(request("GET", "/health"), limit: 8) == nil)
        let refused = try #require(r.overConnectionLimit(request("POST", "/v1/things"), limit: 8))
        #expect(refused.status == 503)
        #expect(header(refused, "Connection") == "close")
        #expect(header(refused, "Retry-After") == "1")
        #expect(try error(refused)["type"]?.stringValue == "server_error")
        #expect(try error(refused)["message"]?.stringValue?.contains("8 connections") == true)
        #expect(r.overConnectionLimit(request("GET", "/nowhere"), limit: 8)?.status == 503)
    }

    @Test func bodyTooLargeClosesTheConnection() throws {
        let response = router().bodyTooLarge(request("POST", "/v1/things"), limit: 100)
        #expect(response.status == 413)
        #expect(header(response, "Connection") == "close")
        #expect(try error(response)["message"]?.stringValue?.contains("100") == true)
    }
}
