/* The program's version, shown by crm --version and written into backups. */
#ifndef UTIL_VERSION_H
#define UTIL_VERSION_H

#define CRM_VERSION "0.1.0"

#endif
