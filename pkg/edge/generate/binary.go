package generate

import (
	"debug/elf"
	"fmt"
)

// elfArch maps ELF machines to GOARCH names.
var elfArch = map[elf.Machine]string{
	elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_ARM: "arm", elf.EM_386: "386",
	elf.EM_RISCV: "riscv64", elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x",
}

// InspectBinary reads a program's ELF header: its platform (linux/arm64)
// and whether it is statically linked (no interpreter, no shared
// libraries).
func InspectBinary(path string) (platform string, static bool, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", false, fmt.Errorf("%s: not an ELF executable: %w", path, err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return "", false, fmt.Errorf("%s: an ELF %s, not an executable", path, f.Type)
	}
	arch, ok := elfArch[f.Machine]
	if !ok {
		arch = f.Machine.String()
	}
	static = true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			static = false
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		static = false
	}
	return "linux/" + arch, static, nil
}
