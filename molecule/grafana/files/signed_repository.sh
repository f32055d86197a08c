#!/usr/bin/env bash
# Build two signed APT repositories in Grafana's layout under /srv/mirror, each signed by
# its own throw-away key: grafana-apt (key grafana-apt/gpg.key) and foreign-apt (signed
# by another key). A Grafana .deb in /srv/mirror/grafana is published in grafana-apt; a
# Grafana tarball there gets its .sha256 like dl.grafana.com's. /srv/mirror/VERSION holds
# the supplied Grafana's version (empty without one).
set -euo pipefail
mirror=/srv/mirror
arch=$(dpkg --print-architecture)
version=""

publish() {  # publish <repository> <signing key name>
  local repo=$mirror/$1 home
  home=$(mktemp -d)
  gpg --homedir "$home" --batch --pinentry-mode loopback --passphrase '' \
    --quick-generate-key "$2 <$2@repository.test>" rsa3072 sign never 2>/dev/null
  mkdir -p "$repo/dists/stable/main/binary-$arch" "$repo/pool"
  if [ "$1" = grafana-apt ]; then
    find "$mirror/grafana" -name '*.deb' -exec cp {} "$repo/pool/" \;
  fi
  (cd "$repo" && apt-ftparchive packages pool > "dists/stable/main/binary-$arch/Packages")
  gzip -kf "$repo/dists/stable/main/binary-$arch/Packages"
  (cd "$repo/dists/stable" && apt-ftparchive -o APT::FTPArchive::Release::Suite=stable \
    -o APT::FTPArchive::Release::Codename=stable -o APT::FTPArchive::Release::Components=main \
    -o "APT::FTPArchive::Release::Architectures=$arch" release . > Release)
  gpg --homedir "$home" --batch --yes --clearsign -o "$repo/dists/stable/InRelease" "$repo/dists/stable/Release"
  gpg --homedir "$home" --armor --export > "$repo/gpg.key"
  rm -rf "$home"
}

publish grafana-apt "TradPal test repository"
publish foreign-apt "Someone else"

for deb in "$mirror"/grafana/*.deb; do
  [ -e "$deb" ] && version=$(dpkg-deb -f "$deb" Version)
done
for tarball in "$mirror"/grafana/*.tar.gz; do
  [ -e "$tarball" ] || continue
  sha256sum "$tarball" | cut -d' ' -f1 > "$tarball.sha256"
  name=$(basename "$tarball")
  case "$name" in
    # Grafana 12 and later: grafana_<version>_<build id>_linux_<arch>.tar.gz
    *_linux_*) version=$(echo "$name" | sed -E 's/^grafana(-enterprise)?_([^_]+)_.*/\2/') ;;
    # before: grafana-<version>.linux-<arch>.tar.gz
    *) version=$(echo "$name" | sed -E 's/^grafana(-enterprise)?-v?(.*)\.linux-.*/\2/') ;;
  esac
done
echo "$version" > "$mirror/VERSION"
