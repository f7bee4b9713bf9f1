package filing_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/filing"
)

var docs = flag.Bool("docs", false, "also copy the first rendered page of each table to docs/filing/<table>.png")

// TestRenderLibreOffice opens every table in LibreOffice (headless, the
// Debian package libreoffice-calc-nogui), prints it to PDF and renders the
// first page to PNG with pdftoppm (poppler-utils): the files open in an
// office suite other than the library that wrote them, and print.
//
// Without LibreOffice it skips, unless CI is set: scripts/test.sh installs
// the packages on CI (about 150 MB, two to three minutes of the 90), so a
// form that stops opening fails there, while a developer's quick run on a
// machine without an office suite is not held up by it.
func TestRenderLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		soffice, err = exec.LookPath("libreoffice")
	}
	pdftoppm, err2 := exec.LookPath("pdftoppm")
	if err != nil || err2 != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: LibreOffice (soffice) and pdftoppm are required; scripts/test.sh installs libreoffice-calc-nogui, poppler-utils and fonts-noto-cjk")
		}
		t.Skip("LibreOffice or pdftoppm not installed (apt-get install libreoffice-calc-nogui poppler-utils fonts-noto-cjk)")
	}
	dir := t.TempDir()
	var files []string
	for _, c := range cases {
		data, err := filing.Bytes(c.table, fixture(t, c.scheme, 0, c.id))
		if err != nil {
			t.Fatalf("%s: %v", c.table, err)
		}
		p := filepath.Join(dir, string(c.table)+".xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// A profile of its own: a second soffice sharing the user's profile
	// hands its work to the first and exits without converting.
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", dir}, files...)
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir, "FONTCONFIG_FILE="+fontsConf(t, dir))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, c := range cases {
		pdf := filepath.Join(dir, string(c.table)+".pdf")
		if st, err := os.Stat(pdf); err != nil || st.Size() == 0 {
			t.Errorf("%s: no PDF (%v)", c.table, err)
			continue
		}
		if first, ok := perPerson[c.table]; ok {
			// One form per person, each on pages of its own: page 2 starts
			// with the second person's form.
			if got := firstLine(t, pdf, 2); got != first {
				t.Errorf("%s: page 2 starts with %q, want %q (a page break before each person's form)", c.table, got, first)
			}
		}
		prefix := filepath.Join(dir, string(c.table))
		out, err := exec.CommandContext(ctx, pdftoppm, "-f", "1", "-l", "1", "-png", "-r", "90", "-singlefile", pdf, prefix).CombinedOutput()
		if err != nil {
			t.Errorf("%s: pdftoppm: %v\n%s", c.table, err, out)
			continue
		}
		png, err := os.ReadFile(prefix + ".png")
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 10_000 {
			t.Errorf("%s: page 1 did not render to a PNG (%d bytes, %v)", c.table, len(png), err)
			continue
		}
		if *docs {
			dst := filepath.Join("..", "docs", "filing", string(c.table)+".png")
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fontsConf writes a fontconfig file that reads the system's and maps the
// forms' 宋体 and 黑体 (and their Latin names) to the Noto CJK faces Debian
// ships (fonts-noto-cjk): serif for 宋体, sans for 黑体, as on the printed
// forms. Without it LibreOffice falls back to whatever face has the glyphs,
// a sans for both, and the pictures in docs/filing would not look like the
// page a Chinese office prints.
func fontsConf(t *testing.T, dir string) string {
	t.Helper()
	conf := `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
`
	p := filepath.Join(dir, "fonts.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// perPerson are the tables with a form per person, and the first line
// each form prints.
var perPerson = map[filing.Table]string{filing.S4Register: "附件3", filing.S9Register: "季度考评登记表", filing.S10Record: "附件1"}

// firstLine is the first line of text on a page of a PDF (pdftotext,
// poppler-utils, with pdftoppm).
func firstLine(t *testing.T, pdf string, page int) string {
	t.Helper()
	p := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-f", p, "-l", p, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}
