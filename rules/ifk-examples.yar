/*
 * ifk example rules: a starting point for scanning the files of an iPhone
 * or iPad backup with `ifk-parse --yara`. Every decrypted file is scanned;
 * offsets are offsets in the decrypted file. See rules/README.md for what
 * holds in a streamed scan (filesize is exact; uint16(0)-style reads reach
 * the first 1 MiB and the last block of a file).
 */

rule ifk_test_canary : test canary
{
    meta:
        description = "The ifk test canary: proves that a backup file was scanned end to end"
        author = "ifk"
        severity = 0

    strings:
        $canary = "IFK-YARA-CANARY-7f3a" ascii wide

    condition:
        $canary
}

rule jpeg_image : filetype media
{
    meta:
        description = "A JPEG image: SOI marker (FF D8) followed by a marker byte at offset 2"
        author = "ifk"

    condition:
        uint16(0) == 0xD8FF and uint8(2) == 0xFF
}

rule sqlite_database : filetype database
{
    meta:
        description = "An SQLite 3 database file (the 16-byte header string at offset 0)"
        author = "ifk"

    strings:
        $header = "SQLite format 3\x00"

    condition:
        $header at 0 and filesize >= 512
}

rule macho_binary : filetype executable
{
    meta:
        description = "A Mach-O executable or library (thin 32/64-bit or universal); backups normally hold none"
        author = "ifk"

    condition:
        uint32(0) == 0xFEEDFACE or uint32(0) == 0xFEEDFACF or
        (uint32be(0) == 0xCAFEBABE and uint32be(4) > 0 and uint32be(4) < 20)
}

rule private_key_pem : credential
{
    meta:
        description = "A PEM-encoded private key (PKCS#1, PKCS#8, EC, DSA, OpenSSH or encrypted)"
        author = "ifk"

    strings:
        $rsa = "-----BEGIN RSA PRIVATE KEY-----"
        $pkcs8 = "-----BEGIN PRIVATE KEY-----"
        $enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----"
        $ec = "-----BEGIN EC PRIVATE KEY-----"
        $dsa = "-----BEGIN DSA PRIVATE KEY-----"
        $ssh = "-----BEGIN OPENSSH PRIVATE KEY-----"

    condition:
        any of them
}
