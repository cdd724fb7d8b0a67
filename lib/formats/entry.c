/* One entry of a backup's file index, whichever index it comes from:
 * its fileID, whether its path can be joined to its domain's folder, its
 * kind. */
#include <string.h>

#include <openssl/evp.h>

#include "formats.h"

int ifk_file_id(const char *domain, const char *relative_path, char out[IFK_FILE_ID_LEN + 1],
                struct ifk_error *err)
{
	static const char hex[] = "0123456789abcdef";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	int rc = IFK_ECRYPTO;

	out[0] = '\0';
	if (!domain)
		domain = "";
	if (!relative_path)
		relative_path = "";
	if (!md)
		return ifk_error_set(err, IFK_ENOMEM, "fileID: out of memory");
	if (EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(md, domain, strlen(domain)) != 1 ||
	    EVP_DigestUpdate(md, "-", 1) != 1 ||
	    EVP_DigestUpdate(md, relative_path, strlen(relative_path)) != 1 ||
	    EVP_DigestFinal_ex(md, d, &n) != 1 || n != IFK_FILE_ID_LEN / 2) {
		ifk_error_set(err, rc, "fileID: SHA-1 failed for %s-%s", domain, relative_path);
		goto out;
	}
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xF];
	}
	out[2 * n] = '\0';
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

bool ifk_path_is_safe(const char *relative_path)
{
	/* "" is the domain's root; anything else passes the one check */
	return relative_path && (!*relative_path || !ifk_relpath_problem(relative_path));
}

bool ifk_domain_is_safe(const char *domain)
{
	return domain && !strchr(domain, '/') && !ifk_relpath_problem(domain);
}

enum ifk_entry_kind ifk_entry_kind_from_mode(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0100000:
		return IFK_ENTRY_FILE;
	case 0040000:
		return IFK_ENTRY_DIR;
	case 0120000:
		return IFK_ENTRY_SYMLINK;
	default:
		return IFK_ENTRY_OTHER;
	}
}

const char *ifk_entry_kind_name(enum ifk_entry_kind kind)
{
	switch (kind) {
	case IFK_ENTRY_FILE:
		return "file";
	case IFK_ENTRY_DIR:
		return "directory";
	case IFK_ENTRY_SYMLINK:
		return "symlink";
	default:
		return "other";
	}
}
