// zlib for HedgerowFlowLog: block compression (compress2/uncompress) and CRC-32 checksums.
#include <zlib.h>
