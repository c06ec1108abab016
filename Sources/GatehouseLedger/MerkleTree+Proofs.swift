extension MerkleTree {
    // MARK: - Inclusion

    /// PATH(m, D[0:n]) (RFC 6962 §2.1.1): the audit path proving that leaf `index` is in the tree
    /// over `leafHashes`, from the leaf's sibling up to a child of the root — the order of a
    /// tlog-proof's hash lines. `nil` unless `0 <= index < leafHashes.count`.
    ///
    /// Costs one hash per leaf (it recomputes the sibling subtrees from the leaves).
    public static func inclusionProof(index: Int, leafHashes: some RandomAccessCollection<Hash>) -> [Hash]? {
        withContiguousLeaves(leafHashes) { leaves in
            inclusionProof(index: index, size: leaves.count) { subtreeRoot(leaves, $0) }
        }
    }

    /// PATH(m, D[0:n]) for leaf `index` of a tree of `size` leaves, with `root` giving MTH over
    /// each range of leaves the path needs (one per level, each a subtree of the RFC 6962 split:
    /// a range of 2^k leaves starts at a multiple of 2^k, and one of fewer than 2^k lies inside
    /// such an aligned block). `nil` unless `0 <= index < size`.
    public static func inclusionProof(index: Int, size: Int, root: (Range<Int>) throws -> Hash) rethrows -> [Hash]? {
        guard index >= 0, index < size else { return nil }
        var proof: [Hash] = []
        // Walk down from the whole tree to the leaf, collecting the sibling subtree at each
        // split; the path lists them bottom up, so reverse at the end.
        var range = 0..<size
        while range.count > 1 {
            let split = range.lowerBound + largestPowerOfTwo(below: range.count)
            if index < split {
                proof.append(try root(split..<range.upperBound))
                range = range.lowerBound..<split
            } else {
                proof.append(try root(range.lowerBound..<split))
                range = split..<range.upperBound
            }
        }
        return proof.reversed()
    }

    /// Whether `proof` shows that `leafHash` is leaf `index` of the tree of `size` leaves with
    /// root `root` (RFC 9162 §2.1.3.2). False for an index outside the tree and for a proof of
    /// the wrong length.
    public static func verifyInclusion(leafHash: Hash, index: Int, size: Int, proof: [Hash], root: Hash) -> Bool {
        guard index >= 0, index < size else { return false }
        // fn is the node's index within its level, sn the index of the last node in that level.
        var fn = index
        var sn = size - 1
        var hash = leafHash
        for sibling in proof {
            // A proof longer than the path from the leaf to the root.
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                hash = nodeHash(sibling, hash)
                // A rightmost node with no right sibling is carried up unchanged through the
                // levels where it stays the last one.
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                hash = nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && hash == root
    }

    // MARK: - Consistency

    /// PROOF(m, D[0:n]) (RFC 6962 §2.1.2): the consistency proof that the tree of the first
    /// `oldSize` leaves is a prefix of the tree over all of `leafHashes`. Empty when `oldSize` is 0
    /// or the whole tree (RFC 9162 §2.1.4); `nil` unless `0 <= oldSize <= leafHashes.count`.
    ///
    /// Costs about one hash per leaf.
    public static func consistencyProof(from oldSize: Int, leafHashes: some RandomAccessCollection<Hash>) -> [Hash]? {
        withContiguousLeaves(leafHashes) { leaves in
            guard oldSize >= 0, oldSize <= leaves.count else { return nil }
            guard oldSize > 0, oldSize < leaves.count else { return [] }
            var proof: [Hash] = []
            // SUBPROOF(m, D[range], complete) unrolled: walk down, collecting the subtree not
            // containing the old tree's edge, until the edge falls on a subtree boundary.
            var range = 0..<leaves.count
            var edge = oldSize  // m, relative to range.lowerBound
            // Whether the range still starts at leaf 0, so the verifier knows its root already.
            var complete = true
            while edge != range.count {
                let half = largestPowerOfTwo(below: range.count)
                let split = range.lowerBound + half
                if edge <= half {
                    proof.append(subtreeRoot(leaves, split..<range.upperBound))
                    range = range.lowerBound..<split
                } else {
                    proof.append(subtreeRoot(leaves, range.lowerBound..<split))
                    range = split..<range.upperBound
                    edge -= half
                    complete = false
                }
            }
            if !complete {
                proof.append(subtreeRoot(leaves, range))
            }
            return proof.reversed()
        }
    }

    /// Whether `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a prefix of
    /// the tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2).
    ///
    /// Equal sizes need an empty proof and equal roots; an empty old tree needs an empty proof and
    /// ``emptyRoot`` as its root, and is consistent with every tree.
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: Hash, newRoot: Hash, proof: [Hash]) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == newSize {
            return proof.isEmpty && oldRoot == newRoot
        }
        if oldSize == 0 {
            return proof.isEmpty && oldRoot == emptyRoot
        }
        guard let first = proof.first else { return false }
        var rest = proof[...]
        var oldHash: Hash
        var newHash: Hash
        // An old tree whose size is a power of two is itself a complete subtree of the new one,
        // so its root is the proof's implicit first element.
        if oldSize & (oldSize - 1) == 0 {
            oldHash = oldRoot
            newHash = oldRoot
        } else {
            oldHash = first
            newHash = first
            rest = rest.dropFirst()
        }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        for node in rest {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                oldHash = nodeHash(node, oldHash)
                newHash = nodeHash(node, newHash)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                newHash = nodeHash(newHash, node)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && oldHash == oldRoot && newHash == newRoot
    }
}
