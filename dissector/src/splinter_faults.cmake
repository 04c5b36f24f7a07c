# The fault table of splinter.lua, splinter_faults.lua, is the output of
# `sp_fault_table_gen lua` (SP_FAULT_MAP of splinter.h), never written by hand.
#   cmake -DGEN=<sp_fault_table_gen> -DFILE=<splinter_faults.lua> -DMODE=check|write -P splinter_faults.cmake
# check: fails when FILE differs from the generator's output; write: writes it.
execute_process(COMMAND ${GEN} lua OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR generated STREQUAL "")
  message(FATAL_ERROR "${GEN} lua failed (${rc})")
endif()
if(MODE STREQUAL "write")
  file(WRITE ${FILE} "${generated}")
elseif(MODE STREQUAL "check")
  file(READ ${FILE} committed)
  if(NOT committed STREQUAL generated)
    message(FATAL_ERROR "${FILE} differs from `sp_fault_table_gen lua`: run "
      "`cmake --build BUILD --target dissector-regen` and commit it")
  endif()
  message(STATUS "${FILE} equals the output of sp_fault_table_gen lua")
else()
  message(FATAL_ERROR "MODE must be check or write")
endif()
