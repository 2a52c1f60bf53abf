"""Plain helpers every app may use: exact money, tasks after commit, exports. No models, no
imports of the apps (the bottom layer of the import contract)."""
