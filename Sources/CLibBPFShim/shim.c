#include "CLibBPFShim.h"
