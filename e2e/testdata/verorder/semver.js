// semver.js SEMVER_DIR FILE: for each "A<TAB>B" line of FILE, prints the
// order of A and B under npm's semver package (semver.compare: -1, 0 or 1),
// or "invalid" when semver.valid refuses either (strict, not loose).
const fs = require("fs");
const semver = require(process.argv[2]);
const out = [];
for (const line of fs.readFileSync(process.argv[3], "utf8").split("\n")) {
  if (line === "") continue;
  const [a, b] = line.split("\t");
  if (semver.valid(a) === null || semver.valid(b) === null) {
    out.push("invalid");
  } else {
    out.push(String(semver.compare(a, b)));
  }
}
process.stdout.write(out.join("\n") + "\n");
