#!/usr/bin/env bash
# Render a run's report.pptx, report.xlsx and report.html to PNG pages for looking at them.
#
# Usage: scripts/render_reports.sh RUN_DIR [PREVIEW_DIR]
#   RUN_DIR      folder with report.pptx / report.xlsx / report.html (e.g. outputs/demo)
#   PREVIEW_DIR  where PDFs and PNGs go (default RUN_DIR/preview)
#
# Installs LibreOffice (impress, calc), poppler-utils, Chromium and a Japanese font from Debian
# when missing (needs root, as on the project machines). Tests never need any of this.
set -euo pipefail

run_dir=${1:?usage: scripts/render_reports.sh RUN_DIR [PREVIEW_DIR]}
preview=${2:-$run_dir/preview}
dpi=${DPI:-60}
mkdir -p "$preview"

need=()
command -v soffice >/dev/null || need+=(libreoffice-impress libreoffice-calc)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v chromium >/dev/null || need+=(chromium)
fc-list :lang=ja 2>/dev/null | grep -q . || need+=(fonts-ipaexfont)
if ((${#need[@]})); then
    echo "installing: ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

for doc in report.pptx report.xlsx; do
    [[ -f "$run_dir/$doc" ]] || { echo "missing $run_dir/$doc" >&2; continue; }
    soffice -env:UserInstallation=file://"$profile"/lo --headless --convert-to pdf --outdir "$preview" "$run_dir/$doc" >/dev/null 2>&1
    stem=${doc%.*}_${doc##*.}
    mv "$preview/${doc%.*}.pdf" "$preview/$stem.pdf"
    rm -f "$preview/$stem"-*.png
    pdftoppm -png -r "$dpi" "$preview/$stem.pdf" "$preview/$stem"
    echo "$doc: $(ls "$preview/$stem"-*.png | wc -l) pages → $preview/$stem-*.png"
done

if [[ -f "$run_dir/report.html" ]]; then
    html=$(realpath "$run_dir/report.html")
    flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --user-data-dir="$profile/chromium")
    chromium "${flags[@]}" --hide-scrollbars --window-size=1280,1800 --screenshot="$preview/report_html_top.png" "file://$html" >/dev/null 2>&1
    chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$preview/report_html.pdf" "file://$html" >/dev/null 2>&1
    rm -f "$preview"/report_html-*.png
    pdftoppm -png -r "$dpi" "$preview/report_html.pdf" "$preview/report_html"
    echo "report.html: top screenshot + $(ls "$preview"/report_html-*.png | wc -l) printed pages → $preview/report_html*.png"
fi
