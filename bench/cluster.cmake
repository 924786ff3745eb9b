# bench-cluster: a script (bench/cluster.sh) copied next to the programs it drives.
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cluster.sh ${CMAKE_BINARY_DIR}/bin/bench-cluster COPYONLY
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
