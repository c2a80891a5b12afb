# CTest Architecture.FindPackageConsumer: install BUILD_DIR into a scratch prefix, configure and
# build tests/consumer against it with find_package(sharpscope), and run the result.
set(scratch ${BUILD_DIR}/consumer-test)
file(REMOVE_RECURSE ${scratch})
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${ARGN}\nfailed (${code}):\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${scratch}/prefix)
step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${scratch}/build -G ${GENERATOR}
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${scratch}/prefix)
step(${CMAKE_COMMAND} --build ${scratch}/build)
step(${scratch}/build/consumer)
file(REMOVE_RECURSE ${scratch})
