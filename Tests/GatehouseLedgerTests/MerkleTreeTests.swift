import Crypto
import Foundation
import Testing

@testable import GatehouseLedger

private typealias Hash = MerkleTree.Hash

/// The tree by the letter of RFC 6962 §2.1, written independently of the code under test: byte
/// arrays, CryptoKit-style one-shot hashing, plain recursion.
private enum ReferenceTree {
    static func sha256(_ bytes: [UInt8]) -> Hash {
        Hash(bytes: Array(SHA256.hash(data: bytes)))!
    }

    static func leaf(_ data: [UInt8]) -> Hash {
        sha256([0x00] + data)
    }

    static func node(_ left: Hash, _ right: Hash) -> Hash {
        sha256([0x01] + left.bytes + right.bytes)
    }

    static func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    static func mth(_ leaves: ArraySlice<Hash>) -> Hash {
        switch leaves.count {
        case 0: return sha256([])
        case 1: return leaves.first!
        default:
            let k = leaves.startIndex + split(leaves.count)
            return node(mth(leaves[..<k]), mth(leaves[k...]))
        }
    }

    static func path(_ m: Int, _ leaves: ArraySlice<Hash>) -> [Hash] {
        guard leaves.count > 1 else { return [] }
        let k = split(leaves.count)
        let mid = leaves.startIndex + k
        return m < k
            ? path(m, leaves[..<mid]) + [mth(leaves[mid...])]
            : path(m - k, leaves[mid...]) + [mth(leaves[..<mid])]
    }

    /// For each element of PATH(m, D[n]), whether the sibling sits on the right: the shape a
    /// verifier infers from (index, size) alone.
    static func sides(_ m: Int, _ n: Int) -> [Bool] {
        guard n > 1 else { return [] }
        let k = split(n)
        return m < k ? sides(m, k) + [true] : sides(m - k, n - k) + [false]
    }

    static func proof(_ m: Int, _ leaves: ArraySlice<Hash>) -> [Hash] {
        subproof(m, leaves, true)
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<Hash>, _ complete: Bool) -> [Hash] {
        if m == leaves.count { return complete ? [] : [mth(leaves)] }
        let k = split(leaves.count)
        let mid = leaves.startIndex + k
        return m <= k
            ? subproof(m, leaves[..<mid], complete) + [mth(leaves[mid...])]
            : subproof(m - k, leaves[mid...], false) + [mth(leaves[..<mid])]
    }
}

/// Distinct leaves for the exhaustive tests.
private func sampleLeafHashes(_ count: Int) -> [Hash] {
    (0..<count).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
}

/// The same hash with one bit flipped.
private func flipped(_ hash: Hash, bit: Int = 0) -> Hash {
    var bytes = hash.bytes
    bytes[bit / 8 % 32] ^= 1 << (bit % 8)
    return Hash(bytes: bytes)!
}

private func hashes(_ hex: [String]) -> [Hash] {
    hex.map { Hash(hex: $0)! }
}

@Suite struct MerkleTreeTests {
    // MARK: Certificate Transparency reference vectors (certificate-transparency merkle_tree_test)

    private static let ctLeaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        Array(0x60...0x6f),
    ]

    private static let ctRoots = hashes([
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ])

    private var ctLeafHashes: [Hash] { Self.ctLeaves.map { MerkleTree.leafHash($0) } }

    @Test func theEmptyTreeHasTheHashOfTheEmptyString() {
        #expect(MerkleTree.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MerkleTree.root(of: [Hash]()) == MerkleTree.emptyRoot)
        #expect(MerkleAccumulator().root() == MerkleTree.emptyRoot)
    }

    @Test func leafAndNodeHashesUseTheirDomainPrefixes() {
        // SHA-256(0x00) and SHA-256(0x01 || 0x00…00 || 0x00…00) as published with the CT vectors.
        #expect(MerkleTree.leafHash([UInt8]()).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        let zero = Hash(bytes: [UInt8](repeating: 0, count: 32))!
        #expect(MerkleTree.nodeHash(zero, zero) == ReferenceTree.node(zero, zero))
        #expect(MerkleTree.leafHash(Data([0x20, 0x21])) == ReferenceTree.leaf([0x20, 0x21]))
        #expect(MerkleTree.leafHash([0x20, 0x21].lazy.map { $0 }) == ReferenceTree.leaf([0x20, 0x21]))
    }

    @Test func rootsMatchTheCertificateTransparencyVectors() {
        let leaves = ctLeafHashes
        var accumulator = MerkleAccumulator()
        for size in 1...8 {
            accumulator.append(leaf: Self.ctLeaves[size - 1])
            #expect(MerkleTree.root(of: leaves.prefix(size)) == Self.ctRoots[size - 1], "size \(size)")
            #expect(accumulator.root() == Self.ctRoots[size - 1], "size \(size)")
        }
    }

    @Test func inclusionProofsMatchTheCertificateTransparencyVectors() {
        let leaves = ctLeafHashes
        let vectors: [(index: Int, size: Int, proof: [String])] = [
            (0, 1, []),
            (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
            (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
            (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
            (
                1, 5,
                [
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]
            ),
            (
                0, 8,
                [
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]
            ),
            (
                5, 8,
                [
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]
            ),
        ]
        for vector in vectors {
            let proof = MerkleTree.inclusionProof(index: vector.index, leafHashes: leaves.prefix(vector.size))
            #expect(proof == hashes(vector.proof), "leaf \(vector.index) of \(vector.size)")
            #expect(
                MerkleTree.verifyInclusion(
                    leafHash: leaves[vector.index],
                    index: vector.index,
                    size: vector.size,
                    proof: hashes(vector.proof),
                    root: Self.ctRoots[vector.size - 1]
                )
            )
        }
    }

    @Test func consistencyProofsMatchTheCertificateTransparencyVectors() {
        let leaves = ctLeafHashes
        let vectors: [(old: Int, new: Int, proof: [String])] = [
            (1, 1, []),
            (
                1, 8,
                [
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]
            ),
            (
                6, 8,
                [
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]
            ),
            (
                2, 5,
                [
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]
            ),
            (
                3, 8,
                [
                    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]
            ),
        ]
        for vector in vectors {
            let proof = MerkleTree.consistencyProof(from: vector.old, leafHashes: leaves.prefix(vector.new))
            #expect(proof == hashes(vector.proof), "\(vector.old) → \(vector.new)")
            #expect(
                MerkleTree.verifyConsistency(
                    oldSize: vector.old,
                    newSize: vector.new,
                    oldRoot: Self.ctRoots[vector.old - 1],
                    newRoot: Self.ctRoots[vector.new - 1],
                    proof: hashes(vector.proof)
                )
            )
        }
    }

    // MARK: Against the reference recursion

    @Test func rootsMatchTheDefinitionUpTo65Leaves() {
        let leaves = sampleLeafHashes(65)
        for size in 1...65 {
            #expect(MerkleTree.root(of: leaves.prefix(size)) == ReferenceTree.mth(leaves.prefix(size)), "size \(size)")
            // A collection without contiguous storage takes the copying path.
            #expect(MerkleTree.root(of: leaves.prefix(size).reversed().reversed()) == ReferenceTree.mth(leaves.prefix(size)))
        }
    }

    @Test func theAccumulatorMatchesRootOfForEveryPrefixUpTo300() {
        let leaves = sampleLeafHashes(300)
        var accumulator = MerkleAccumulator()
        for size in 1...300 {
            accumulator.append(leafHash: leaves[size - 1])
            #expect(accumulator.size == size)
            #expect(accumulator.subtreeRoots.count == size.nonzeroBitCount)
            #expect(accumulator.root() == MerkleTree.root(of: leaves.prefix(size)), "size \(size)")
        }
    }

    @Test func theAccumulatorResumesFromItsSubtreeRoots() {
        let leaves = sampleLeafHashes(100)
        var whole = MerkleAccumulator()
        for leaf in leaves.prefix(37) { whole.append(leafHash: leaf) }
        var resumed = MerkleAccumulator(size: whole.size, subtreeRoots: whole.subtreeRoots)
        #expect(resumed?.root() == whole.root())
        for leaf in leaves.dropFirst(37) {
            whole.append(leafHash: leaf)
            resumed?.append(leafHash: leaf)
        }
        #expect(resumed?.root() == MerkleTree.root(of: leaves))
        #expect(MerkleAccumulator(size: 37, subtreeRoots: Array(whole.subtreeRoots.prefix(2))) == nil)
        #expect(MerkleAccumulator(size: -1, subtreeRoots: []) == nil)
    }

    // MARK: Inclusion, exhaustively

    @Test func inclusionProofsVerifyAndFailWhenAnythingChanges() {
        let leaves = sampleLeafHashes(66)
        let stranger = MerkleTree.leafHash(Array("not in the log".utf8))
        for size in 1...33 {
            let tree = leaves.prefix(size)
            let root = MerkleTree.root(of: tree)
            for index in 0..<size {
                let leaf = leaves[index]
                guard let proof = MerkleTree.inclusionProof(index: index, leafHashes: tree) else {
                    Issue.record("no proof for \(index) of \(size)")
                    continue
                }
                #expect(proof == ReferenceTree.path(index, tree), "\(index) of \(size)")
                func verify(leaf: Hash = leaf, index: Int = index, size: Int = size, proof: [Hash] = proof, root: Hash = root) -> Bool {
                    MerkleTree.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: root)
                }
                #expect(verify(), "\(index) of \(size)")

                #expect(!verify(leaf: flipped(leaf)))
                #expect(!verify(leaf: stranger))
                #expect(!verify(root: flipped(root, bit: 255)))
                #expect(!verify(root: MerkleTree.root(of: leaves.prefix(size + 1))))
                for other in -1...size + 1 where other != index {
                    #expect(!verify(index: other), "index \(other) for \(index) of \(size)")
                }
                // The verifier knows only the path's shape from (index, size), so another size
                // passes exactly when it gives the same shape — e.g. leaf 0 of 3 and of 4.
                for otherSize in 0...2 * size + 1 where otherSize != size {
                    let sameShape = index < otherSize && ReferenceTree.sides(index, otherSize) == ReferenceTree.sides(index, size)
                    #expect(verify(size: otherSize) == sameShape, "size \(otherSize) for \(index) of \(size)")
                }
                #expect(!verify(size: 2 * size))
                for position in proof.indices {
                    var altered = proof
                    altered[position] = flipped(altered[position], bit: 7 * position)
                    #expect(!verify(proof: altered), "element \(position) of \(index) of \(size)")
                    var dropped = proof
                    dropped.remove(at: position)
                    #expect(!verify(proof: dropped))
                }
                if proof.count > 1 {
                    #expect(!verify(proof: Array(proof.reversed())))
                }
                #expect(!verify(proof: proof + [root]))
                #expect(!verify(proof: [leaf] + proof))
            }
            #expect(MerkleTree.inclusionProof(index: size, leafHashes: tree) == nil)
            #expect(MerkleTree.inclusionProof(index: -1, leafHashes: tree) == nil)
        }
        #expect(MerkleTree.inclusionProof(index: 0, leafHashes: [Hash]()) == nil)
        #expect(!MerkleTree.verifyInclusion(leafHash: stranger, index: 0, size: 0, proof: [], root: MerkleTree.emptyRoot))
    }

    // MARK: Consistency, exhaustively

    @Test func consistencyProofsVerifyAndFailWhenAnythingChanges() {
        let leaves = sampleLeafHashes(34)
        let roots = (0...34).map { MerkleTree.root(of: leaves.prefix($0)) }
        for newSize in 1...33 {
            let tree = leaves.prefix(newSize)
            for oldSize in 1...newSize {
                guard let proof = MerkleTree.consistencyProof(from: oldSize, leafHashes: tree) else {
                    Issue.record("no proof for \(oldSize) → \(newSize)")
                    continue
                }
                let label = "\(oldSize) → \(newSize)"
                #expect(proof == ReferenceTree.proof(oldSize, tree), "\(label)")
                func verify(
                    old: Int = oldSize,
                    new: Int = newSize,
                    oldRoot: Hash = roots[oldSize],
                    newRoot: Hash = roots[newSize],
                    proof: [Hash] = proof
                ) -> Bool {
                    MerkleTree.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                }
                #expect(verify(), "\(label)")

                #expect(!verify(oldRoot: flipped(roots[oldSize])), "\(label)")
                #expect(!verify(newRoot: flipped(roots[newSize], bit: 200)), "\(label)")
                #expect(!verify(newRoot: roots[newSize + 1]), "\(label)")
                if oldSize > 1 {
                    #expect(!verify(oldRoot: roots[oldSize - 1]), "\(label)")
                }
                if oldSize < newSize {
                    #expect(!verify(oldRoot: roots[newSize], newRoot: roots[oldSize]), "\(label)")
                }
                for position in proof.indices {
                    var altered = proof
                    altered[position] = flipped(altered[position], bit: 11 * position)
                    #expect(!verify(proof: altered), "element \(position) of \(label)")
                    var dropped = proof
                    dropped.remove(at: position)
                    #expect(!verify(proof: dropped), "without element \(position) of \(label)")
                }
                if proof.count > 1 {
                    #expect(!verify(proof: Array(proof.reversed())), "\(label)")
                }
                #expect(!verify(proof: proof + [roots[newSize]]), "\(label)")
                #expect(!verify(proof: [roots[oldSize]] + proof), "\(label)")
                // As with inclusion, the verifier sees only the proof's shape. A size whose
                // proof has a different length must fail; same-length sizes may pass (4 → 8
                // verifies as 4 → 7 against the same roots), so they are not asserted.
                for (old, new) in [
                    (oldSize - 1, newSize), (oldSize + 1, newSize), (oldSize, newSize - 1), (oldSize, newSize + 1), (oldSize, 2 * newSize),
                ]
                where old >= 1 && old <= new && (old, new) != (oldSize, newSize) {
                    let honestLength = ReferenceTree.proof(old, sampleLeafHashes(new)[...]).count
                    if honestLength != proof.count {
                        #expect(!verify(old: old, new: new), "as \(old) → \(new) for \(label)")
                    }
                }
                #expect(!verify(old: newSize + 1, new: newSize))
                #expect(!verify(old: -1))
            }
            // From the empty tree: no proof, and only the empty root.
            #expect(MerkleTree.consistencyProof(from: 0, leafHashes: tree) == [])
            #expect(MerkleTree.verifyConsistency(oldSize: 0, newSize: newSize, oldRoot: MerkleTree.emptyRoot, newRoot: roots[newSize], proof: []))
            #expect(!MerkleTree.verifyConsistency(oldSize: 0, newSize: newSize, oldRoot: roots[1], newRoot: roots[newSize], proof: []))
            #expect(
                !MerkleTree.verifyConsistency(oldSize: 0, newSize: newSize, oldRoot: MerkleTree.emptyRoot, newRoot: roots[newSize], proof: [roots[1]])
            )
            #expect(MerkleTree.consistencyProof(from: newSize + 1, leafHashes: tree) == nil)
            #expect(MerkleTree.consistencyProof(from: -1, leafHashes: tree) == nil)
        }
    }

    // MARK: Hash encodings

    @Test func hashesRoundTripThroughBase64AndHex() {
        let root = Self.ctRoots[7]
        #expect(root.base64 == "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")
        #expect(Hash(base64: root.base64) == root)
        #expect(Hash(hex: root.hex.uppercased()) == root)
        #expect(Hash(bytes: root.bytes) == root)
        #expect(root.description == root.hex)
        #expect(Hash(base64: "AAAA") == nil)
        #expect(Hash(base64: "not base64!") == nil)
        #expect(Hash(hex: String(root.hex.dropLast())) == nil)
        #expect(Hash(hex: String(root.hex.dropLast()) + "g") == nil)
        #expect(Hash(bytes: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(Set([root, Hash(hex: root.hex)!, Self.ctRoots[0]]).count == 2)
    }
}
