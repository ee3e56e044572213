import Foundation
import Testing
import Yams
@testable import SluiceCLI

@Suite("-o json and -o yaml print documents with apiVersion and kind")
struct OutputDocumentTests {
    struct Body: Codable, Equatable {
        var name: String
        var count: Int
    }

    struct Decoded: Decodable, Equatable {
        var apiVersion: String
        var kind: String
        var name: String
        var count: Int
    }

    struct DecodedList: Decodable, Equatable {
        var apiVersion: String
        var kind: String
        var items: [Body]
    }

    @Test("An object's fields sit beside apiVersion and kind, in JSON and in YAML")
    func objects() throws {
        let body = Body(name: "agent-2", count: 3)
        let expected = Decoded(apiVersion: "sluice.dev/v1", kind: "Rollout", name: "agent-2", count: 3)
        let json = try #require(try OutputFormat.json.encode(body, kind: "Rollout"))
        #expect(try JSONDecoder().decode(Decoded.self, from: Data(json.utf8)) == expected)
        let yaml = try #require(try OutputFormat.yaml.encode(body, kind: "Rollout"))
        #expect(try YAMLDecoder().decode(Decoded.self, from: yaml) == expected)
        #expect(try OutputFormat.table.encode(body, kind: "Rollout") == nil)
    }

    @Test("A list is {apiVersion, kind, items}")
    func lists() throws {
        let items = [Body(name: "a", count: 1), Body(name: "b", count: 2)]
        let json = try #require(try OutputFormat.json.encode(items: items, kind: "RolloutList"))
        let decoded = try JSONDecoder().decode(DecodedList.self, from: Data(json.utf8))
        #expect(decoded == DecodedList(apiVersion: "sluice.dev/v1", kind: "RolloutList", items: items))
    }
}
