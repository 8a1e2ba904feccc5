// Command kindconst prints the value of a string constant declared in the
// pinned kind module's node-image builder (for example defaultCNIManifest),
// so the lab's node image carries exactly the manifests that kind version
// expects, read from the module cache at build time instead of copied here.
//
// Usage: kindconst <dir of sigs.k8s.io/kind/pkg/build/nodeimage> <const>
package main

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: kindconst <nodeimage package dir> <const name>")
		os.Exit(2)
	}
	v, err := lookup(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kindconst:", err)
		os.Exit(1)
	}
	fmt.Print(v)
}

// lookup type-checks only the import-free const_*.go files of the package,
// which is enough to fold the constant expressions (string concatenations of
// other constants) without compiling kind.
func lookup(dir, name string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "const*.go"))
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, m, nil, 0)
		if err != nil {
			return "", err
		}
		if len(f.Imports) == 0 {
			files = append(files, f)
		}
	}
	conf := types.Config{Importer: importer.Default(), Error: func(error) {}}
	pkg, _ := conf.Check("nodeimage", fset, files, nil)
	if pkg == nil {
		return "", fmt.Errorf("cannot type-check %s", dir)
	}
	obj, ok := pkg.Scope().Lookup(name).(*types.Const)
	if !ok {
		return "", fmt.Errorf("no constant %q in %s", name, dir)
	}
	if obj.Val().Kind() != constant.String {
		return "", fmt.Errorf("%s is not a string constant", name)
	}
	return constant.StringVal(obj.Val()), nil
}
