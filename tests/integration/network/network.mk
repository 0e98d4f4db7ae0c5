## tests/integration/network: host networking of real guests (taps, bridges,
## [networks], session mode, migration between two network namespaces,
## reconnect), as TAP; harness ../migration/lib.sh. Root only (it makes its
## own network namespaces); skipped otherwise or without QEMU.
## A failed run keeps its logs in tests/integration/network/test-network.logs.
TESTS += tests/integration/network/test-network.sh
EXTRA_DIST += tests/integration/network/test-network.sh
