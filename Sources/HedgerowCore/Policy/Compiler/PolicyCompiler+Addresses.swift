/// The ipcache's pod addresses, kept up to date one address at a time.
extension PolicyCompiler {
    /// Moves the addresses of `pods` (their previous versions in `previous`) to the pods'
    /// current identities; `rebuild` recomputes the whole cache instead (CIDR identities changed).
    mutating func updateAddresses(of pods: Set<NamespacedName>, previous: PolicyInputs, rebuild: Bool) {
        var addresses: Set<IPAddress> = []
        for key in pods { addresses.formUnion(claimAddresses(of: key, previous: previous.pods[key])) }
        if rebuild {
            ipcache = IPCache(
                podAddresses: identities.podAddresses(pods: inputs.pods), cidrIdentities: identities.allocator.cidrIdentities)
        } else {
            for address in addresses { refreshAddress(address) }
        }
    }

    /// Records which addresses a pod (with an identity) claims now; returns those it claimed or
    /// stopped claiming.
    private mutating func claimAddresses(of key: NamespacedName, previous: Pod?) -> Set<IPAddress> {
        let old = previous?.ips ?? []
        let new = identities.identityOfPod[key] == nil ? [] : inputs.pods[key]?.ips ?? []
        for address in old {
            addressClaims[address]?.remove(key)
            if addressClaims[address]?.isEmpty == true { addressClaims[address] = nil }
        }
        for address in new { addressClaims[address, default: []].insert(key) }
        return Set(old).union(new)
    }

    /// Rewrites one address's ipcache entry: its first claimant by name (as a full rebuild
    /// decides), else the CIDR identity of that host prefix, else nothing.
    private mutating func refreshAddress(_ address: IPAddress) {
        let prefix = IPPrefix(host: address)
        if let owner = addressClaims[address]?.min(), let identity = identities.identityOfPod[owner] {
            ipcache.set(prefix, identity)
        } else {
            ipcache.set(prefix, identities.allocator.identity(for: prefix))
        }
    }
}
