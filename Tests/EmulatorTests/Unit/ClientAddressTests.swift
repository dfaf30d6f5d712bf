import Testing

@testable import Emulator

@Suite struct ClientAddressTests {
    @Test func writesWhatItParsed() {
        for text in ["127.0.0.1", "10.1.2.3", "::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1"] {
            let address = ClientAddress(text: text)
            #expect(address.text == text)
            #expect(address.family == (text.contains(":") ? 6 : 4))
        }
    }

    @Test func unknownIsEmpty() {
        #expect(ClientAddress(text: "").text == "")
        #expect(ClientAddress(text: "not an address") == .unknown)
        #expect(ClientAddress(family: 5, raw: (1, 2)) == .unknown)
    }

    @Test func requestKeepsTheAddressItWasGiven() {
        var request = HTTPRequest(method: "GET", path: "/", clientAddress: "192.168.0.7")
        #expect(request.clientAddress == "192.168.0.7")
        request.clientAddress = "::1"
        #expect(request.client.family == 6)
        #expect(HTTPRequest(method: "GET", path: "/").clientAddress == "")
    }
}
