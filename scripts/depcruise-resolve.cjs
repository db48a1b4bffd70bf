// Module resolution for dependency-cruiser (.dependency-cruiser.cjs): "@/…" is the
// repository root, as in tsconfig.json.
module.exports = {
  resolve: {
    alias: { "@": __dirname.replace(/[\\/]scripts$/, "") },
    extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
  },
};
