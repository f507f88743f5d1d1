#include "CLibMNLShim.h"
