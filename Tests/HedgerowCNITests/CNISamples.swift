import Foundation

@testable import HedgerowCNI

/// Real and realistic CNI documents used across the tests.
enum CNISamples {
    static let podNetns = "/var/run/netns/hcore-pod-5583"

    /// What Debian's ptp (containernetworking-plugins 1.1.1) with host-local printed for ADD on
    /// this machine: the host veth without a sandbox, eth0 in the pod, the address on index 1.
    static let ptpResult = """
        {
            "cniVersion": "1.0.0",
            "interfaces": [
                {
                    "name": "veth83de5923",
                    "mac": "c2:e2:d6:47:c9:ce"
                },
                {
                    "name": "eth0",
                    "mac": "da:dd:14:2b:8a:2c",
                    "sandbox": "/var/run/netns/hcore-pod-5583"
                }
            ],
            "ips": [
                {
                    "interface": 1,
                    "address": "10.250.77.2/24",
                    "gateway": "10.250.77.1"
                }
            ],
            "routes": [
                {
                    "dst": "0.0.0.0/0"
                }
            ],
            "dns": {}
        }
        """

    /// A result with fields this package does not interpret, at every level.
    static let resultWithExtras = """
        {
          "cniVersion": "1.0.0",
          "interfaces": [
            {"name": "veth1", "mac": "aa:bb:cc:dd:ee:ff", "mtu": 1450},
            {"name": "eth0", "sandbox": "/run/netns/p1", "socketPath": "/tmp/s", "pciID": "0000:00:01.0"}
          ],
          "ips": [
            {"interface": 1, "address": "10.1.0.5/24", "gateway": "10.1.0.1"},
            {"interface": 1, "address": "fd00:1::5/64", "version": "6"}
          ],
          "routes": [{"dst": "0.0.0.0/0", "gw": "10.1.0.1", "mtu": 1400, "priority": 10, "table": 100}],
          "dns": {"nameservers": ["10.1.0.10"], "domain": "cluster.local", "search": ["svc.cluster.local"], "options": ["ndots:5"], "extra": true},
          "futureField": {"nested": [1, 2.5, null, "x"]}
        }
        """

    /// A 0.4.0 result: ips carry "version".
    static let result040 = """
        {"cniVersion": "0.4.0",
         "interfaces": [{"name": "vethx"}, {"name": "eth0", "sandbox": "/var/run/netns/p"}],
         "ips": [{"version": "4", "interface": 1, "address": "10.0.0.2/24", "gateway": "10.0.0.1"}]}
        """

    /// The lab's chain: ptp with host-local, then Hedgerow's plugin.
    static let conflist = """
        {
          "cniVersion": "1.0.0",
          "name": "hedgerow-lab",
          "plugins": [
            {"type": "ptp", "ipMasq": false, "mtu": 1500,
             "ipam": {"type": "host-local", "subnet": "10.250.77.0/24", "routes": [{"dst": "0.0.0.0/0"}]}},
            {"type": "portmap", "capabilities": {"portMappings": true, "bandwidth": false}},
            {"type": "hedgerow-cni", "agentSocket": "/run/hedgerow/cni.sock"}
          ]
        }
        """

    static func data(_ text: String) -> Data { Data(text.utf8) }

    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }
}
