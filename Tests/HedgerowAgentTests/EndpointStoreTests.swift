import Foundation
import HedgerowTestSupport
import Testing

@testable import HedgerowAgent

@Suite struct EndpointStoreTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + UniqueName.make("hstore")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func record(_ id: UInt32) -> EndpointRecord {
        EndpointRecord(
            id: id, containerID: "c\(id)", namespace: "x", podName: "p\(id)", interfaceName: "veth\(id)",
            interfaceIndex: Int32(id) + 10, containerInterface: "eth0", netns: "/run/netns/p\(id)", ips: ["10.0.0.\(id)"])
    }

    @Test func roundTripsSortedByID() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = EndpointStore(stateDirectory: directory)
        #expect(try store.load().isEmpty)
        try store.save([record(3), record(1)])
        #expect(try store.load() == [record(1), record(3)])
        #expect(!FileManager.default.fileExists(atPath: store.file + ".tmp"))
    }

    @Test func aCorruptFileIsAnErrorNamingIt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = EndpointStore(stateDirectory: directory)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: store.file))
        let error = try #require(throws: EndpointStoreError.self) { try store.load() }
        #expect(error.description.contains(store.file))
    }
}

@Suite struct ManifestDirectoryTests {
    @Test func readsManifestFilesSortedAndSkipsOthers() throws {
        let directory = NSTemporaryDirectory() + UniqueName.make("hman")
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["b.yaml", "a.yml", "sub/c.json", ".a.yaml.swp", "notes.txt", ".hidden.yaml"] {
            try Data("x: 1\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
        let files = try ManifestDirectory(path: directory).read().map { ($0.name as NSString).lastPathComponent }
        #expect(files == ["a.yml", "b.yaml", "c.json"])
        let before = ManifestDirectory(path: directory).fingerprint()
        try Data("x: 22\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/b.yaml"))
        #expect(ManifestDirectory(path: directory).fingerprint() != before)
    }

    @Test func aMissingDirectoryIsAClearError() {
        let error = #expect(throws: ManifestDirectoryError.self) { try ManifestDirectory(path: "/nonexistent/hedgerow").read() }
        #expect(error?.description.contains("/nonexistent/hedgerow does not exist") == true)
    }
}
